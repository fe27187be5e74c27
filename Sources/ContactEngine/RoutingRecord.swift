import Foundation

/// The parts of the routing scripts' JSON records (fields of `<P>:agents` and `<P>:contacts`, docs/routing.md) the
/// server reads; the scripts own and write them.
package enum RoutingRecord {
    /// A contact as routing sees it.
    package struct Contact: Decodable, Sendable, Equatable {
        /// `new`, `queued`, `offered`, `connected` or `ended`.
        package var state: String
        /// The agent it is offered to, while `offered`.
        package var offeredTo: String?
        /// When the pending offer is withdrawn (ms since the epoch), while `offered`.
        package var offerDeadline: Int?
        /// The agent it is (or, once ended, was) connected to.
        package var agent: String?
    }

    /// An agent as routing sees it.
    package struct Agent: Decodable, Sendable, Equatable {
        /// `Available` or `Offline`.
        package var state: String
        /// Contacts offered or connected to it on chat (keys; the values mean nothing).
        package var chat: [String: Int]
        /// Contacts offered or connected to it on voice.
        package var voice: [String: Int]
    }

    /// Decodes a record read with HGET; nil when there is none.
    package static func decode<Record: Decodable>(_ type: Record.Type, from json: String?) throws -> Record? {
        guard let json else { return nil }
        return try JSONDecoder().decode(Record.self, from: Data(json.utf8))
    }
}
