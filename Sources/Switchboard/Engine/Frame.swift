import Foundation

/// JSON text frames for the engine's sockets, built from dictionaries (their shapes are fixed by docs/agent-api.md).
enum Frame {
    /// `object` as compact JSON with sorted keys; `nil` values are left out.
    static func text(_ object: [String: Any?]) -> String {
        let present = object.compactMapValues { $0 }
        guard let data = try? JSONSerialization.data(withJSONObject: present, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return #"{"type":"error","code":"INTERNAL","message":"frame could not be encoded"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `{"type":"error","code","message"}`, the error frame of every engine socket.
    static func error(_ code: String, _ message: String) -> String {
        text(["type": "error", "code": code, "message": message])
    }

    /// Parses a client frame: a JSON object, or `nil`.
    static func parse(_ text: String) -> [String: Any]? {
        JSON.object(Array(text.utf8))
    }
}
