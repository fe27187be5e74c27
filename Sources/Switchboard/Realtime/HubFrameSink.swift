import SwitchboardCore
import Logging
import RedisClient

/// The engine's ``FrameSink`` on this node's ``SocketHub``: a frame for a topic is published once, by
/// `lua/hub_publish.lua`, on the channel of each node that holds a socket of the topic (`lua/hub_topic.lua` keeps that
/// registry as sockets join and leave), and each of those nodes hands it to its own sockets of the topic.
struct HubFrameSink: FrameSink {
    /// This node's hub: its sockets, Redis, scripts, keys and id.
    let realtime: RealtimeHub
    /// How long a topic's registry outlives its last join (a dead node's count lingers no longer).
    let topicTtlMs: Int

    var hub: SocketHub { realtime.sockets }
    var redis: RedisClient { realtime.redis }
    var scripts: RedisScriptSet { realtime.scripts }
    var keys: RedisKeys { realtime.keys }
    var nodeId: String { realtime.nodeId }
    var logger: Logger { realtime.logger }

    func publish(text: String?, to topic: SocketTopic, close: UInt16?, exceptConnection: String?) async throws {
        let message = TopicMessage(topic: topic.name, text: text, close: close, exceptNode: exceptConnection == nil ? nil : nodeId,
                                   exceptConnection: exceptConnection)
        let registry = keys.topicNodes(topic), (publish, channelPrefix) = realtime.nodeChannels(sameSlotAs: registry)
        try await redis.evalScript(scripts[.hubPublish], keys: [registry],
                                   args: [.string(channelPrefix), .string(Wire.encode(message)), .string(publish)])
    }

    /// Socket `id` receives the frames of `topic` from now on, whichever node sends them.
    func join(_ id: String, topic: SocketTopic) async throws {
        guard hub.join(id, topic: topic) else { return }
        try await redis.evalScript(scripts[.hubTopic], keys: [keys.topicNodes(topic)], args: [.string(nodeId), 1, .int(topicTtlMs)])
    }

    /// A socket that had joined `topics` closed: one pipelined round trip for all of them.
    func leave(_ topics: Set<SocketTopic>) async {
        guard !topics.isEmpty else { return }
        do {
            let calls = topics.map { (keys: [keys.topicNodes($0)], args: [RedisArgument.string(nodeId), -1, .int(topicTtlMs)]) }
            for case .error(let message) in try await redis.evalScript(scripts[.hubTopic], calls: calls) { throw RedisError(.server, message) }
        } catch {
            logger.warning("could not leave the socket's topics; their registries expire by themselves",
                           metadata: ["topics": "\(topics)", "error": "\(error)"])
        }
    }

    /// Delivers a topic message from the node channel to this node's sockets of its topic.
    func deliver(_ text: String) {
        guard let message = try? Wire.decode(TopicMessage.self, from: text) else {
            logger.warning("malformed node channel message", metadata: ["payload": "\(text.prefix(200))"])
            return
        }
        let topic = SocketTopic(name: message.topic)
        let except = message.exceptNode == nodeId ? message.exceptConnection : nil
        if let text = message.text { hub.send(.frame(text), topic: topic, except: except) }
        if let code = message.close { hub.send(.close(code, ""), topic: topic, except: except) }
    }
}
