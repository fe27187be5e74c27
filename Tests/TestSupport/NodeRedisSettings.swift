/// How a deployment's nodes reach Redis (`redis.url`, `redis.mode`, `redis.tls`), typed for callers outside the
/// tests, such as the bench, which would otherwise spell config as untyped dictionaries.
public struct NodeRedisSettings: Sendable {
    /// `redis.url`.
    public var url: String
    /// `redis.mode` is `"cluster"` when set.
    public var cluster: Bool
    /// `redis.tls.caFile` and `redis.tls.serverName`, for a `rediss://` URL.
    public var tls: (caFile: String, serverName: String)?

    /// Settings for the Redis at `url`.
    public init(url: String, cluster: Bool = false, tls: (caFile: String, serverName: String)? = nil) {
        self.url = url
        self.cluster = cluster
        self.tls = tls
    }
}

extension TestDeployment {
    /// A deployment whose nodes reach Redis as `redis` says.
    public convenience init(redis: NodeRedisSettings) async throws {
        var settings: [String: Any] = ["url": redis.url, "mode": redis.cluster ? "cluster" : "standalone"]
        if let tls = redis.tls { settings["tls"] = ["caFile": tls.caFile, "serverName": tls.serverName] }
        try await self.init(redisURL: redis.url, ["redis": settings])
    }
}
