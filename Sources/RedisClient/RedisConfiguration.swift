import NIOCore

/// Where Redis is and how the client treats it.
public struct RedisConfiguration: Sendable {
    /// Host name or address of the Redis server.
    public var host: String
    /// TCP port of the Redis server.
    public var port: Int
    /// Logical database selected on every new connection.
    public var database: Int
    /// Number of pooled connections; each carries many commands in flight.
    public var poolSize: Int
    /// How long a command may wait for its reply before its connection is closed.
    public var commandTimeout: TimeAmount
    /// How long a TCP connect may take.
    public var connectTimeout: TimeAmount
    /// First wait after a failed connect; doubles on each further failure.
    public var reconnectBackoffMin: TimeAmount
    /// Upper bound of the reconnect wait.
    public var reconnectBackoffMax: TimeAmount

    /// Makes a configuration; defaults suit a Redis on the same host or LAN.
    public init(
        host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, poolSize: Int = 8,
        commandTimeout: TimeAmount = .seconds(5), connectTimeout: TimeAmount = .seconds(2),
        reconnectBackoffMin: TimeAmount = .milliseconds(50), reconnectBackoffMax: TimeAmount = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.poolSize = poolSize
        self.commandTimeout = commandTimeout
        self.connectTimeout = connectTimeout
        self.reconnectBackoffMin = reconnectBackoffMin
        self.reconnectBackoffMax = reconnectBackoffMax
    }

    /// Parses `redis://HOST:PORT[/DB]` into host, port and database, keeping the other settings.
    public init(url: String, base: RedisConfiguration = RedisConfiguration()) throws(RedisError) {
        self = base
        guard url.hasPrefix("redis://") else {
            throw RedisError(.invalidArgument, "Redis URL must look like redis://HOST:PORT[/DB], got \(url)")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty {
                guard let n = Int(db), n >= 0 else { throw RedisError(.invalidArgument, "Redis URL database must be a number: \(url)") }
                database = n
            }
            rest = rest[..<slash]
        }
        if let colon = rest.lastIndex(of: ":") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                throw RedisError(.invalidArgument, "Redis URL port must be 1-65535: \(url)")
            }
            port = p
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw RedisError(.invalidArgument, "Redis URL has no host: \(url)") }
        host = String(rest)
    }
}
