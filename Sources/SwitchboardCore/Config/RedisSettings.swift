import Foundation
import RedisClient

/// `redis`: the shared Redis.
public struct RedisSettings: Sendable, Decodable {
    /// `redis[s]://[USER:PASSWORD@]HOST:PORT[/DB]` or `unix:///PATH[?db=DB]`; a secret (it may carry a password), so a
    /// string or `{"env": "VAR"}`.
    public var url: String
    /// First part of every key, so deployments can share a Redis.
    public var keyPrefix: String
    /// Pooled connections per node.
    public var poolSize: Int
    /// Milliseconds a command may take before its connection is dropped.
    public var commandTimeoutMs: Int
    /// `redis.tls`: the files a `rediss://` URL uses.
    public var tls: TLS?
    /// `redis.mode`: `"standalone"` or `"cluster"` (Redis Cluster; `url` names any one node).
    public var cluster: Bool

    /// `redis.tls` (SPEC v2 §2).
    public struct TLS: Sendable, Decodable {
        /// PEM CA certificate(s) of the server's certificate; absent: the system's roots.
        public var caFile: String?
        /// PEM client certificate, for a Redis with `tls-auth-clients yes`.
        public var certFile: String?
        /// PEM private key of `certFile`.
        public var keyFile: String?
        /// The name on the server's certificate, when it is not the URL's host.
        public var serverName: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case caFile, certFile, keyFile, serverName }

        /// Decodes strictly.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
            certFile = try c.decodeIfPresent(String.self, forKey: .certFile)
            keyFile = try c.decodeIfPresent(String.self, forKey: .keyFile)
            serverName = try c.decodeIfPresent(String.self, forKey: .serverName)
        }
    }

    package enum CodingKeys: String, CodingKey, CaseIterable { case url, keyPrefix, poolSize, commandTimeoutMs, tls, mode }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        url = try c.requiredSecret(.url)
        keyPrefix = try c.required(.keyPrefix)
        poolSize = try c.optional(.poolSize, default: 8, min: 1, max: 1024)
        commandTimeoutMs = try c.optional(.commandTimeoutMs, default: 5000, min: 1, max: 3_600_000)
        tls = try c.decodeIfPresent(TLS.self, forKey: .tls)
        let mode = try c.decodeIfPresent(String.self, forKey: .mode) ?? "standalone"
        guard mode == "standalone" || mode == "cluster" else {
            throw SwitchboardError.config("\"redis.mode\" must be \"standalone\" or \"cluster\", not \"\(mode)\"")
        }
        cluster = mode == "cluster"
        if cluster, url.hasPrefix("unix:") {
            throw SwitchboardError.config("\"redis.mode\" \"cluster\" needs a redis:// or rediss:// URL naming one node of the cluster")
        }
    }

    /// The client's configuration: the URL with `redis.tls`, pool size and command timeout. Errors name the setting and
    /// never the password.
    public func clientConfiguration(poolSize: Int? = nil) throws(SwitchboardError) -> RedisConfiguration {
        do {
            var configuration = try RedisConfiguration(
                url: url, tlsFiles: tls.map { .init(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile, serverName: $0.serverName) },
                base: RedisConfiguration(poolSize: poolSize ?? self.poolSize, commandTimeout: .milliseconds(Int64(commandTimeoutMs))))
            configuration.cluster = cluster
            return configuration
        } catch {
            throw .config("\"redis.url\" / \"redis.tls\": \(error.message)")
        }
    }
}
