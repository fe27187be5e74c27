/// Decoding helpers that make config.json strict: unknown keys and missing required values are start-up errors.
package struct AnyCodingKey: CodingKey {
    package var stringValue: String
    package var intValue: Int?
    package init(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// The container of an object whose keys must all be in `Keys` (see ``rejectUnknownKeys(_:)``).
    package func strictContainer<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        try rejectUnknownKeys(keys)
        return try container(keyedBy: keys)
    }

    /// Throws ``SwitchboardError/config`` naming the first key of this object that `Keys` does not list.
    package func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw SwitchboardError.config("unknown key \"\(AnyCodingKey.path(codingPath + [AnyCodingKey(stringValue: unknown)]))\"")
        }
    }
}

extension KeyedDecodingContainer {
    /// A value that must be present.
    package func required<T: Decodable>(_ key: Key) throws -> T {
        guard contains(key) else {
            throw SwitchboardError.config("missing required value \"\(AnyCodingKey.path(codingPath + [key]))\"")
        }
        return try decode(T.self, forKey: key)
    }

    /// A value with a default when absent.
    package func optional<T: Decodable>(_ key: Key, default value: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? value
    }

    /// A number that must be present and at least `min` (and at most `max`).
    package func required<T: Decodable & Comparable>(_ key: Key, min: T, max: T? = nil) throws -> T {
        try inRange(required(key), key, min: min, max: max)
    }

    /// A number with a default when absent, at least `min` (and at most `max`) when present.
    package func optional<T: Decodable & Comparable>(_ key: Key, default value: T, min: T, max: T? = nil) throws -> T {
        try inRange(optional(key, default: value), key, min: min, max: max)
    }

    private func inRange<T: Comparable>(_ value: T, _ key: Key, min: T, max: T?) throws -> T {
        guard value >= min, max.map({ value <= $0 }) ?? true else {
            let bounds = max.map { "between \(min) and \($0)" } ?? "at least \(min)"
            throw SwitchboardError.config("\"\(AnyCodingKey.path(codingPath + [key]))\" must be \(bounds), got \(value)")
        }
        return value
    }
}

extension AnyCodingKey {
    package static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
