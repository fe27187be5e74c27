import Foundation

// rest-json sends `timestamp` members as epoch seconds (a JSON number). The models encode them themselves so the wire
// format never depends on a JSONEncoder's dateEncodingStrategy (whose default counts from 2001).

extension KeyedDecodingContainer {
    func decodeEpochSecondsIfPresent(forKey key: Key) throws -> Date? {
        try decodeIfPresent(Double.self, forKey: key).map { Date(timeIntervalSince1970: $0) }
    }
}

extension KeyedEncodingContainer {
    /// Rounded to milliseconds, AWS's precision, so the number prints short (`1714566896.123`).
    mutating func encodeEpochSecondsIfPresent(_ date: Date?, forKey key: Key) throws {
        guard let date else { return }
        try encode((date.timeIntervalSince1970 * 1000).rounded() / 1000, forKey: key)
    }
}
