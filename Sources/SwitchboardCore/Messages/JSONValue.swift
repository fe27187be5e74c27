/// Any JSON value, for what Switchboard carries without reading: WebRTC signaling payloads, and contact events passed
/// on to the stream as they came.
package enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Most values are strings: try them first, since every wrong guess costs a thrown error.
        if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member `key` of an object, matched ignoring case (AWS samples write both `contactId` and `ContactId`).
    /// Of several spellings and no exact one (`ContactID`, `CONTACTID`), the least name wins: a dictionary's order
    /// differs between processes, so taking the first let the bridge and the consumer read different values from one
    /// event (found by Tests/Fuzz).
    package subscript(caseInsensitive key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        if let exact = members[key] { return exact }
        let lower = key.lowercased()
        return members.lazy.filter { $0.key.lowercased() == lower }.min { $0.key < $1.key }?.value
    }

    /// The string, when this is one.
    package var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Whether this is an object.
    package var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}
