import PropertyBased
import SwitchboardCore
import Testing

/// `ContactEvent.parse` reads one text the same way on both of its paths: the bridge validates an event member by
/// member ignoring case, then the consumer parses the stored text, first exactly.
@Suite("Contact events parse the same on the bridge and in the consumer")
struct ContactEventParseTests {
    @Test("an optional member in another case is read by the consumer too (fuzz find: the exact path dropped it)")
    func optionalMemberInAnotherCase() throws {
        let text = #"""
            {"id":"e1","detail-type":"Amazon Connect Contact Event","source":"aws.connect","detail":{"eventType":"QUEUED",\#
            "contactId":"c1","Channel":"CHAT","InitiationMethod":"API","agentInfo":{"AgentArn":"arn:agent"}}}
            """#
        let event = try ContactEvent.parse(text)
        #expect(event.channel == "CHAT" && event.initiationMethod == "API" && event.agentArn == "arn:agent")
        let stored = try EventLog.validateBatch(Array(text.utf8), maxBatch: 10)
        #expect(try stored.map { try ContactEvent.parse($0) } == [event])
    }

    @Test("of several spellings of a member, every reader takes the same one (fuzz find: it depended on a dictionary's order)")
    func severalSpellings() throws {
        let text = #"""
            {"id":"e1","detail-type":"Amazon Connect Contact Event","source":"aws.connect","detail":{"eventType":"QUEUED",\#
            "contactId":"c1","InitiationMethod":"A","initiationmethod":"C","INITIATIONMETHOD":"B","initiatIonMethod":"D"}}
            """#
        let event = try ContactEvent.parse(text)
        #expect(event.initiationMethod == "B")
        let stored = try EventLog.validateBatch(Array(text.utf8), maxBatch: 10)
        #expect(try stored.map { try ContactEvent.parse($0) } == [event])
    }

    @Test("the exact path reads what the case-insensitive reading reads, whatever case the optional members are in")
    func exactPathAgreesWithCaseInsensitiveReading() async {
        // Per optional member: 0 absent, 1 exact, 2 another case, 3 exact and another case, 4 two other cases.
        await propertyCheck(count: 400, input: Gen.int(in: 0...4).array(of: 4...4), Gen.int(in: 0...4095)) { forms, seed in
            func variant(_ name: String, _ seed: Int) -> String {
                let flipped = String(name.enumerated().map { i, c in seed >> (i % 12) & 1 == 1 ? Character(c.uppercased()) : c })
                return flipped == name ? name.prefix(1).uppercased() + name.dropFirst() : flipped
            }
            func members(_ name: String, _ value: String, form: Int) -> [String] {
                let other = variant(name, seed), another = variant(name, ~seed)
                switch form {
                case 1: return [#""\#(name)":"\#(value)""#]
                case 2: return [#""\#(other)":"\#(value)-2""#]
                case 3: return [#""\#(other)":"\#(value)-2""#, #""\#(name)":"\#(value)""#]
                case 4: return [#""\#(other)":"\#(value)-2""#, #""\#(another)":"\#(value)-4""#]
                default: return []
                }
            }
            let agentInfo = #"{\#(members("agentArn", "arn:agent", form: forms[3]).joined(separator: ","))}"#
            let detail = [#""eventType":"QUEUED""#, #""contactId":"c1""#, #""agentInfo":\#(agentInfo)"#]
                + members("channel", "CHAT", form: forms[0]) + members("initiationMethod", "API", form: forms[1])
                + members("relatedContactId", "c0", form: forms[2])
            let text = #"{"id":"e1","detail-type":"Amazon Connect Contact Event","source":"aws.connect","detail":{\#(detail.joined(separator: ","))}}"#
            let exact = try ContactEvent.parse(text)
            let caseInsensitive = try ContactEvent.parse(Wire.decode(JSONValue.self, from: text))
            #expect(exact == caseInsensitive, "\(text)")
        }
    }
}
