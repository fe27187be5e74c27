/// A Redis stream entry id (`<ms>-<seq>`), which is also every push's `eventId`: ordered, so replay and live pushes
/// can be merged without duplicates.
package struct StreamID: Comparable, Hashable, Sendable, CustomStringConvertible {
    package var milliseconds: UInt64
    package var sequence: UInt64

    package init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let ms = UInt64(parts[0]), let seq = UInt64(parts[1]) else { return nil }
        milliseconds = ms
        sequence = seq
    }

    package static func < (a: StreamID, b: StreamID) -> Bool {
        (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
    }

    package var description: String { "\(milliseconds)-\(sequence)" }
}
