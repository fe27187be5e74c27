/// A Redis stream entry id (`<ms>-<seq>`), which is also every push's `eventId`: ordered, so replay and live pushes
/// can be merged without duplicates.
package struct StreamID: Comparable, Hashable, Sendable, CustomStringConvertible {
    package var milliseconds: UInt64
    package var sequence: UInt64

    package init?(_ text: String) { self.init(text[...]) }

    package init?(_ text: Substring) {
        var text = text
        guard let id = text.withUTF8(StreamID.init(utf8:)) else { return nil }
        self = id
    }

    /// Parsed from the bytes: every push's id is read on delivery, and `split` + `UInt64(_:)` over a generic
    /// `StringProtocol` cost a few per cent of a node's CPU there.
    private init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        var parts: (UInt64, UInt64) = (0, 0), digits = 0, sawDash = false
        for byte in bytes {
            if byte == UInt8(ascii: "-") {
                guard !sawDash, digits > 0 else { return nil }
                sawDash = true
                digits = 0
                continue
            }
            guard byte &- UInt8(ascii: "0") < 10 else { return nil }
            let digit = UInt64(byte &- UInt8(ascii: "0"))
            if sawDash {
                let (times, o1) = parts.1.multipliedReportingOverflow(by: 10), (sum, o2) = times.addingReportingOverflow(digit)
                guard !o1, !o2 else { return nil }
                parts.1 = sum
            } else {
                let (times, o1) = parts.0.multipliedReportingOverflow(by: 10), (sum, o2) = times.addingReportingOverflow(digit)
                guard !o1, !o2 else { return nil }
                parts.0 = sum
            }
            digits += 1
        }
        guard sawDash, digits > 0 else { return nil }
        milliseconds = parts.0
        sequence = parts.1
    }

    package static func < (a: StreamID, b: StreamID) -> Bool {
        (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
    }

    package var description: String { "\(milliseconds)-\(sequence)" }
}
