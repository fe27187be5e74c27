import SwitchboardCore
import ContactEngine
import Foundation
import Logging
import RedisClient

/// The customer WebSocket hub's Redis side (SPEC §4): socket records with TTL, the per-user set, pushes fanned out to
/// whichever node holds a user's sockets, and the per-user replay log. Each operation is one script call.
public struct RealtimeHub: Sendable {
    let redis: RedisClient
    let scripts: RedisScriptSet
    let keys: RedisKeys
    let nodeId: String
    let config: RealtimeConfig
    let dedupeTtlMs: Int
    /// Every socket of this node.
    let sockets: SocketHub
    let logger: Logger

    init(redis: RedisClient, scripts: RedisScriptSet, keys: RedisKeys, nodeId: String, config: RealtimeConfig, dedupeTtlSeconds: Int,
         sockets: SocketHub, logger: Logger) {
        self.redis = redis
        self.scripts = scripts
        self.keys = keys
        self.nodeId = nodeId
        self.config = config
        self.dedupeTtlMs = dedupeTtlSeconds * 1000
        self.sockets = sockets
        self.logger = logger
    }

    var connectionTtlMs: Int { config.connectionTtlSeconds * 1000 }

    /// Records the socket; returns the user's replay position at that moment (their latest push id, or `0-0`).
    func register(connection: String, userId: String) async throws -> String {
        try await register([(connection, userId)]).first ?? "0-0"
    }

    /// Records sockets of this node (one pipelined round trip for the node's own set, one for the users'); returns each
    /// user's replay position at its registration.
    func register(_ sockets: [(connection: String, userId: String)]) async throws -> [String] {
        guard !sockets.isEmpty else { return [] }
        // The node's set first: a node that dies right after still has every socket it registered listed for the purge.
        try await run([RedisCommand([.string("SADD"), .string(keys.nodeConnections(nodeId))] + sockets.map { .string("\($0.connection)@\($0.userId)") }),
                       RedisCommand("SADD", keys.nodes, nodeId)])
        let now = epochMillis()
        let replies = try await redis.evalScript(scripts[.realtimeRegister], calls: sockets.map { socket in
            ([keys.userConnections(socket.userId), keys.replay(socket.userId)],
             [.string("\(socket.connection)@\(nodeId)"), .int(now + connectionTtlMs), .int(connectionTtlMs), .int(now)])
        })
        for case .error(let message) in replies { throw RedisError(.server, message) }
        return replies.map { $0.array?.last?.string ?? "0-0" }
    }

    func unregister(connection: String, userId: String) async throws {
        try await run([RedisCommand("ZREM", keys.userConnections(userId), "\(connection)@\(nodeId)"),
                       RedisCommand("SREM", keys.nodeConnections(nodeId), "\(connection)@\(userId)")])
    }

    /// Refreshes a socket's expiry (called on traffic, throttled by the socket). A record already purged stays purged
    /// (`XX`): the sweeper registers the node's sockets again when that happened.
    func touch(connection: String, userId: String) async throws {
        try await run([RedisCommand("ZADD", keys.userConnections(userId), "XX", String(epochMillis() + connectionTtlMs), "\(connection)@\(nodeId)"),
                       RedisCommand("PEXPIRE", keys.userConnections(userId), String(connectionTtlMs))])
    }

    /// Removes the socket records of `node` (gone, or this one draining). Unless `force`, only those its liveness key
    /// no longer vouches for, and only records the node did not write again after the purge began (realtime_forget.lua);
    /// returns the number removed, or -1 when the node is alive.
    func purge(node: String, force: Bool) async throws -> Int {
        if !force, try await redis.send("EXISTS", keys.nodeAlive(node)).int == 1 { return -1 }
        let members = try await redis.smembers(keys.nodeConnections(node))
        let cutoff = epochMillis() + connectionTtlMs
        let sockets = members.compactMap { member -> (connection: String, userId: String)? in
            guard let at = member.firstIndex(of: "@") else { return nil }
            return (String(member[..<at]), String(member[member.index(after: at)...]))
        }
        let replies = try await redis.evalScript(scripts[.realtimeForget], calls: sockets.map { socket in
            ([keys.userConnections(socket.userId)], [.string("\(socket.connection)@\(node)"), .int(force ? Int.max / 2 : cutoff)])
        })
        for case .error(let message) in replies { throw RedisError(.server, message) }
        var cleanup = [RedisCommand("SREM", keys.nodes, node)]
        if !members.isEmpty { cleanup.append(RedisCommand([.string("SREM"), .string(keys.nodeConnections(node))] + members.map { .string($0) })) }
        if force { cleanup.append(RedisCommand("DEL", keys.nodeAlive(node))) }
        try await run(cleanup)
        return sockets.count
    }

    /// Sends commands in one round trip (split per shard on a cluster) and throws the first error reply.
    private func run(_ commands: [RedisCommand]) async throws {
        for case .error(let message) in try await redis.pipeline(commands) { throw RedisError(.server, message) }
    }

    /// One push for a user; `dedupe` makes a retried push a no-op.
    public struct Push: Sendable {
        var userId: String
        var push: CustomerPush
        var dedupe: String
    }

    /// Sends pushes in one pipelined round trip; returns how many sockets each reached (-1: duplicate).
    @discardableResult
    func push(_ pushes: [Push]) async throws -> [Int] {
        guard !pushes.isEmpty else { return [] }
        let now = epochMillis()
        let replies = try await redis.evalScript(scripts[.realtimePush], calls: pushes.map { push in
            // The JSON is made here, on the nodes, rather than in the script, which runs on Redis's one thread; the replay
            // entry keeps the push's members as its fields.
            let connections = keys.userConnections(push.userId)
            let (publish, channelPrefix) = nodeChannels(sameSlotAs: connections)
            return ([keys.replay(push.userId), connections] + (push.dedupe.isEmpty ? [] : [keys.pushDedupe(push.userId, push.dedupe)]),
                    [.string(Wire.encode(push.push)), .int(dedupeTtlMs), .int(config.replayMaxPerUser), .int(config.replayWindowSeconds * 1000),
                     .int(now), .string(channelPrefix), .string(publish)]
                        + push.push.members.flatMap { [RedisArgument.string($0.0), .string($0.1)] })
        })
        for case .error(let message) in replies { throw RedisError(.server, message) }
        return replies.map { $0.array?.first?.int ?? 0 }
    }

    /// How a script on `key`'s slot publishes to a node's channel: the command and the channel name without the node id.
    /// On a cluster, a sharded channel in that slot, so the message goes from that master straight to the node, not
    /// over the cluster bus (docs/benchmarks.md, issue 12).
    func nodeChannels(sameSlotAs key: String) -> (publish: String, prefix: String) {
        redis.isCluster ? ("SPUBLISH", keys.shardedNodeChannel("", slot: RedisClusterSlot.slot(of: key))) : ("PUBLISH", keys.nodeChannel(""))
    }

    /// Pushes made for `userId` after `eventId` and still inside the replay window, oldest first, as ready frames.
    func replay(userId: String, after eventId: StreamID) async throws -> [(StreamID, String)] {
        let windowStart = UInt64(max(0, epochMillis() - config.replayWindowSeconds * 1000))
        let start = eventId.milliseconds >= windowStart ? "(\(eventId)" : "\(windowStart)-0"
        let entries = try await redis.xrange(keys.replay(userId), start: start, end: "+", count: config.replayMaxPerUser)
        return entries.compactMap { entry in
            guard let id = StreamID(entry.id), var push = CustomerPush(members: entry.fields) else { return nil }
            push.eventId = entry.id
            return (id, Wire.encode(push))
        }
    }

}
