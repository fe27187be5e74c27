import RedisClient

/// Where the contact engine's frames for sockets go: the server's socket hub, which hands them to the sockets of a
/// topic on whichever nodes hold them. The engine knows topics, never sockets or nodes.
package protocol FrameSink: Sendable {
    /// Sends `text` to every socket of `topic` (but `exceptConnection` of this node), then closes them with `close`.
    func publish(text: String?, to topic: SocketTopic, close: UInt16?, exceptConnection: String?) async throws
}

extension FrameSink {
    /// Sends one typed frame to the sockets of `topic`.
    package func send(_ frame: some Encodable, to topic: SocketTopic, close: UInt16? = nil, exceptConnection: String? = nil) async throws {
        try await publish(text: Wire.encode(frame), to: topic, close: close, exceptConnection: exceptConnection)
    }
}

/// Where the contact engine's lifecycle events go: the contact-event stream, which every node's consumer reads, and
/// (on a server) straight to the customers' sockets.
package protocol EventSink: Sendable {
    /// Appends events, in order.
    func append(_ events: [EngineEvent]) async throws
    /// Appends events whose ids were not appended before (within `events.dedupeTtlSeconds`), in order.
    func appendOnce(_ events: [EngineEvent]) async throws
}

extension EventLog: EventSink {
    package func append(_ events: [EngineEvent]) async throws { try await append(events.map(\.text)) }
    package func appendOnce(_ events: [EngineEvent]) async throws { try await appendOnce(events.map { ($0.event.id, $0.text) }) }
}

/// A group of sockets frames are addressed to.
package struct SocketTopic: Hashable, Sendable, CustomStringConvertible {
    /// `agent:<id>`, `contact:<id>` or `meeting:<id>`.
    package let name: String

    /// The topic named `name` (as a ``TopicMessage`` carries it).
    package init(name: String) { self.name = name }

    /// The agent app's sockets of one agent.
    package static func agent(_ id: String) -> SocketTopic { SocketTopic(name: "agent:\(id)") }
    /// The participant sockets of one contact.
    package static func contact(_ id: String) -> SocketTopic { SocketTopic(name: "contact:\(id)") }
    /// The signaling sockets of one meeting.
    package static func meeting(_ id: String) -> SocketTopic { SocketTopic(name: "meeting:\(id)") }

    package var description: String { name }
}

/// A frame on its way to the sockets of a topic on another node, as published on the node's channel.
package struct TopicMessage: Codable, Sendable {
    package var topic: String
    package var text: String?
    package var close: UInt16?
    /// The node and connection that must not get it (the sender of a signal).
    package var exceptNode: String?
    package var exceptConnection: String?

    package init(topic: String, text: String?, close: UInt16?, exceptNode: String?, exceptConnection: String?) {
        (self.topic, self.text) = (topic, text)
        (self.close, self.exceptNode, self.exceptConnection) = (close, exceptNode, exceptConnection)
    }
}
