/// Decoding helpers that make config.json strict: unknown keys and missing required values are start-up errors.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// Throws ``SwitchboardError/config`` naming the first key of this object that `Keys` does not list.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw SwitchboardError.config("unknown key \"\(AnyCodingKey.path(codingPath + [AnyCodingKey(stringValue: unknown)]))\"")
        }
    }
}

extension KeyedDecodingContainer {
    /// A value that must be present.
    func required<T: Decodable>(_ key: Key) throws -> T {
        guard contains(key) else {
            throw SwitchboardError.config("missing required value \"\(AnyCodingKey.path(codingPath + [key]))\"")
        }
        return try decode(T.self, forKey: key)
    }

    /// A value with a default when absent.
    func optional<T: Decodable>(_ key: Key, default value: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? value
    }
}

extension AnyCodingKey {
    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
