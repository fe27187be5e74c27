import Foundation

/// Small JSON helpers for hand-built payloads on hot paths.
enum JSON {
    /// `text` as a JSON string literal, quotes included.
    static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Parses a JSON object; `nil` for anything else.
    static func object(_ data: some DataProtocol) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed])) as? [String: Any]
    }

    /// Encodes an Encodable value as a string.
    static func encode(_ value: some Encodable) -> String {
        (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "{}"
    }
}
