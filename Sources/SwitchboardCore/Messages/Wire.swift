import Foundation

/// How every message Switchboard writes is encoded (frames, pushes, bus messages, HTTP bodies): compact JSON with
/// sorted keys, absent optionals left out, slashes unescaped. The one place JSON text is made or read.
package enum Wire {
    /// `value` as JSON text.
    package static func encode(_ value: some Encodable) -> String {
        // Every message type is plain data, so encoding cannot fail; were it to, the client gets an error frame.
        (try? String(decoding: encoder.encode(value), as: UTF8.self))
            ?? #"{"type":"error","code":"INTERNAL","message":"message could not be encoded"}"#
    }

    /// `value` as JSON bytes.
    package static func data(_ value: some Encodable) throws -> Data {
        try encoder.encode(value)
    }

    // Both are Sendable and keep no state between calls; one of each saves a setup on every push.
    private static let encoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
    private static let decoder = JSONDecoder()

    /// Decodes `T` from JSON bytes.
    package static func decode<T: Decodable>(_ type: T.Type, from bytes: some DataProtocol) throws -> T {
        try decoder.decode(type, from: Data(bytes))
    }

    /// Decodes `T` from JSON text.
    package static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decoder.decode(type, from: Data(text.utf8))
    }
}
