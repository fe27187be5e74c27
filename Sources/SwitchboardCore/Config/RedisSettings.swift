import Foundation

/// `redis`: the shared Redis.
public struct RedisSettings: Sendable, Decodable {
    /// `redis://HOST:PORT[/DB]`.
    public var url: String
    /// First part of every key, so deployments can share a Redis.
    public var keyPrefix: String
    /// Pooled connections per node.
    public var poolSize: Int
    /// Milliseconds a command may take before its connection is dropped.
    public var commandTimeoutMs: Int

    package enum CodingKeys: String, CodingKey, CaseIterable { case url, keyPrefix, poolSize, commandTimeoutMs }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        url = try c.required(.url)
        keyPrefix = try c.required(.keyPrefix)
        poolSize = try c.optional(.poolSize, default: 8, min: 1, max: 1024)
        commandTimeoutMs = try c.optional(.commandTimeoutMs, default: 5000, min: 1, max: 3_600_000)
    }
}
