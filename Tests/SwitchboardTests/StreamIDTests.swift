import PropertyBased
import SwitchboardCore
import Testing

/// `StreamID` reads every push's `eventId` on delivery, from the bytes.
@Suite("Stream ids")
struct StreamIDTests {
    @Test("an id reads back from its text, as a String and as a Substring, and orders as its numbers do")
    func roundTrip() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max), Gen.int(in: 0...Int.max), Gen.int(in: 0...Int.max)) { ms, seq, other in
            let id = StreamID("\(ms)-\(seq)")
            #expect(id?.milliseconds == UInt64(ms) && id?.sequence == UInt64(seq))
            let message = "\(ms)-\(seq)\nrest"
            #expect(StreamID(message.prefix(while: { $0 != "\n" })) == id)
            #expect(id?.description == "\(ms)-\(seq)")
            let later = StreamID("\(ms)-\(other)")
            #expect((id! < later!) == (seq < other))
        }
    }

    @Test("what is not <digits>-<digits> within 64 bits is refused")
    func malformed() {
        for text in ["", "-", "1-", "-1", "1", "1--2", "1-2-3", "a-1", "1-b", " 1-2", "1-2 ", "+1-2", "1-+2", "١-٢",
                     "18446744073709551616-0", "0-18446744073709551616", "99999999999999999999-1"] {
            #expect(StreamID(text) == nil, "\(text)")
        }
        #expect(StreamID("18446744073709551615-18446744073709551615") != nil)
        #expect(StreamID("0-0") != nil && StreamID("007-010")?.sequence == 10)
    }
}
