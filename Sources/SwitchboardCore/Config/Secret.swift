import Foundation

/// A secret in config.json: a string, or `{"env": "VAR"}`, read from the environment at start-up so the secret need
/// not be in the file (SPEC v2 §2). A variable that is not set stops start-up, naming it and the setting.
package struct Secret: Decodable {
    package let value: String

    package init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            value = text
            return
        }
        let setting = AnyCodingKey.path(decoder.codingPath)
        guard let object = try? decoder.container(keyedBy: AnyCodingKey.self),
              object.allKeys.map(\.stringValue) == ["env"],
              let name = try? object.decode(String.self, forKey: AnyCodingKey(stringValue: "env")), !name.isEmpty else {
            throw SwitchboardError.config("\"\(setting)\" must be a string or {\"env\": \"VARIABLE\"}")
        }
        guard let text = ProcessInfo.processInfo.environment[name] else {
            throw SwitchboardError.config("\"\(setting)\" is read from the environment variable \(name), which is not set")
        }
        value = text
    }

    /// Whether the secret may not guard a node others can reach: empty, or one of config.json's demo values.
    package static func isDemo(_ value: String) -> Bool {
        value.isEmpty || value.hasPrefix("local-demo-")
    }
}

extension KeyedDecodingContainer {
    /// A secret that must be present (see ``Secret``).
    package func requiredSecret(_ key: Key) throws -> String {
        let secret: Secret = try required(key)
        return secret.value
    }
}
