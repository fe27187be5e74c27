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
        let reply = try await redis.evalScript(scripts[.realtimeRegister], keys: [keys.realtime],
                                               args: [.string(connection), .string(userId), .string(nodeId), .int(connectionTtlMs), .int(epochMillis())])
        return reply.array?.last?.string ?? "0-0"
    }

    func unregister(connection: String, userId: String) async throws {
        try await redis.evalScript(scripts[.realtimeUnregister], keys: [keys.realtime],
                                   args: [.string(connection), .string(userId), .string(nodeId)])
    }

    /// Refreshes a socket's TTL (called on traffic, throttled by the socket).
    func touch(connection: String, userId: String) async throws {
        _ = try await redis.pipeline([
            RedisCommand("PEXPIRE", keys.connection(connection), String(connectionTtlMs)),
            RedisCommand("PEXPIRE", keys.userConnections(userId), String(connectionTtlMs)),
        ])
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
        let replies = try await redis.evalScript(scripts[.realtimePush], calls: pushes.map { push in
            // The JSON is made here, on the nodes, rather than in the script, which runs on Redis's one thread; the replay
            // entry keeps the push's members as its fields.
            ([keys.realtime], [.string(push.userId), .string(Wire.encode(push.push)), .string(push.dedupe), .int(dedupeTtlMs),
                               .int(config.replayMaxPerUser), .int(config.replayWindowSeconds * 1000)]
                + push.push.members.flatMap { [RedisArgument.string($0.0), .string($0.1)] })
        })
        for case .error(let message) in replies { throw RedisError(.server, message) }
        return replies.map { $0.array?.first?.int ?? 0 }
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
