import Foundation
import Logging
import RedisClient
import ServiceLifecycle

/// Carries frames for WebSockets between nodes: whoever produces a frame publishes it once on the engine's pub/sub
/// channel, and every node's ``EngineBusService`` hands it to its own sockets of that topic.
///
/// One channel for all nodes keeps routing trivial (no registry of which node holds which socket, nothing to clean up
/// when a node dies); the cost is that every node sees every frame, which is cheap at our scale (a few nodes).
struct EngineBus: Sendable {
    let redis: RedisClient
    let channel: String
    let nodeId: String

    /// One published frame.
    struct Envelope: Codable, Sendable {
        /// Topic of the sockets it is for (`contact:<id>`, `agent:<id>`, `meeting:<id>`).
        var topic: String
        /// The text frame to write; empty with only `close`.
        var text: String?
        /// Close code to send after `text`.
        var close: UInt16?
        /// Node and connection that must not get it (the sender of a signal).
        var exceptNode: String?
        var exceptConnection: Int?
    }

    /// Publishes a frame for `topic`, or writes it straight to local sockets when Redis is unreachable is not an option:
    /// other nodes would miss it, so the error goes to the caller.
    func publish(topic: String, text: String? = nil, close: UInt16? = nil, exceptConnection: Int? = nil) async throws {
        let envelope = Envelope(topic: topic, text: text, close: close, exceptNode: exceptConnection == nil ? nil : nodeId,
                                exceptConnection: exceptConnection)
        try await redis.publish(channel, .string(JSON.encode(envelope)))
    }

    /// The command that publishes a frame, for callers that pipeline it with writes (transcript items).
    func publishCommand(topic: String, text: String) -> RedisCommand {
        RedisCommand(["PUBLISH", .string(channel), .string(envelope(topic: topic, text: text))])
    }

    /// The JSON published on the bus for a frame to `topic`'s sockets (for scripts that publish themselves).
    func envelope(topic: String, text: String) -> String {
        JSON.encode(Envelope(topic: topic, text: text))
    }
}

/// Subscribes to the engine bus and delivers each frame to this node's sockets (HubDrain closes them on SIGTERM).
struct EngineBusService: Service {
    let bus: EngineBus
    let sockets: EngineSockets
    /// Told once the bus is subscribed: frames published before that would never reach this node's sockets.
    let readiness: EngineReadiness
    let logger: Logger

    func run() async throws {
        let decoder = JSONDecoder()
        try await bus.redis.subscribe(channels: [bus.channel], onSubscribed: { readiness.markBusSubscribed() }) { messages in
            for await message in messages.cancelOnGracefulShutdown() {
                guard let envelope = try? decoder.decode(EngineBus.Envelope.self, from: Data(message.payload)) else {
                    logger.warning("malformed engine bus message", metadata: ["payload": "\(message.text.prefix(200))"])
                    continue
                }
                let except = envelope.exceptNode == bus.nodeId ? envelope.exceptConnection : nil
                if let text = envelope.text { sockets.send(.text(text), topic: envelope.topic, except: except) }
                if let code = envelope.close { sockets.send(.close(code, ""), topic: envelope.topic, except: except) }
            }
        }
    }
}
