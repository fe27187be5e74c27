import Foundation

/// How every message Switchboard writes is encoded (frames, pushes, bus messages, HTTP bodies): compact JSON with
/// sorted keys, absent optionals left out, slashes unescaped. The one place JSON text is made or read.
package enum Wire {
    /// `value` as JSON text.
    package static func encode(_ value: some Encodable) -> String {
        // Every message type is plain data, so encoding cannot fail; were it to, the client gets an error frame.
        (try? String(decoding: data(value), as: UTF8.self))
            ?? #"{"type":"error","code":"INTERNAL","message":"message could not be encoded"}"#
    }

    /// `value` as JSON bytes.
    package static func data(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Decodes `T` from JSON bytes.
    package static func decode<T: Decodable>(_ type: T.Type, from bytes: some DataProtocol) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    /// Decodes `T` from JSON text.
    package static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decode(type, from: Array(text.utf8))
    }
}
