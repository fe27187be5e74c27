import Foundation

/// `realtime`: the customer WebSocket hub.
public struct RealtimeConfig: Sendable, Decodable {
    /// Lifetime of a connection's Redis record, refreshed by traffic.
    public var connectionTtlSeconds: Int
    /// Lifetime of a node's liveness key; a node silent this long is taken for dead and its connections purged.
    public var nodeTtlSeconds: Int
    /// How often a node refreshes its liveness and sweeps dead nodes.
    public var sweepIntervalSeconds: Double
    /// How long pushes are kept for replay.
    public var replayWindowSeconds: Int
    /// How many pushes per user are kept for replay.
    public var replayMaxPerUser: Int

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case connectionTtlSeconds, nodeTtlSeconds, sweepIntervalSeconds, replayWindowSeconds, replayMaxPerUser
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        connectionTtlSeconds = try c.required(.connectionTtlSeconds, min: 1)
        nodeTtlSeconds = try c.optional(.nodeTtlSeconds, default: 15, min: 1)
        sweepIntervalSeconds = try c.optional(.sweepIntervalSeconds, default: 5)
        replayWindowSeconds = try c.optional(.replayWindowSeconds, default: 600, min: 1)
        replayMaxPerUser = try c.optional(.replayMaxPerUser, default: 1000, min: 1)
    }
}
