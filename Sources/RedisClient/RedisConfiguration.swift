import NIOCore

/// Where Redis is and how the client treats it.
public struct RedisConfiguration: Sendable {
    /// Host name or address of the Redis server.
    public var host: String
    /// TCP port of the Redis server.
    public var port: Int
    /// Path of the Redis server's Unix domain socket; when set, it is used instead of `host` and `port`.
    public var unixSocketPath: String?
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
    /// How often a subscription PINGs Redis; a PING unanswered within `commandTimeout` drops the connection (a Redis
    /// that went away without closing it, a half-open link) so the subscription reconnects.
    public var subscriptionPingInterval: TimeAmount = .seconds(5)

    /// Makes a configuration; defaults suit a Redis on the same host or LAN.
    public init(
        host: String = "127.0.0.1", port: Int = 6379, unixSocketPath: String? = nil, database: Int = 0, poolSize: Int = 8,
        commandTimeout: TimeAmount = .seconds(5), connectTimeout: TimeAmount = .seconds(2),
        reconnectBackoffMin: TimeAmount = .milliseconds(50), reconnectBackoffMax: TimeAmount = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.unixSocketPath = unixSocketPath
        self.database = database
        self.poolSize = poolSize
        self.commandTimeout = commandTimeout
        self.connectTimeout = connectTimeout
        self.reconnectBackoffMin = reconnectBackoffMin
        self.reconnectBackoffMax = reconnectBackoffMax
    }

    /// Where the server is, for messages: `host:port` or the socket path.
    public var address: String { unixSocketPath ?? "\(host):\(port)" }

    /// Parses `redis://HOST:PORT[/DB]`, or `unix:///PATH[?db=DB]` for a Unix domain socket, keeping the other settings.
    public init(url: String, base: RedisConfiguration = RedisConfiguration()) throws(RedisError) {
        self = base
        if url.hasPrefix("unix://") {
            try self.init(unixURL: url, base: base)
            return
        }
        guard url.hasPrefix("redis://") else {
            throw RedisError(.invalidArgument, "Redis URL must look like redis://HOST:PORT[/DB] or unix:///PATH[?db=DB], got \(url)")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        if let slash = rest.firstIndex(of: "/") {
            database = try Self.database(rest[rest.index(after: slash)...], url: url)
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
        unixSocketPath = nil
    }

    /// `unix:///PATH[?db=DB]`, the form redis-py and other clients use.
    private init(unixURL url: String, base: RedisConfiguration) throws(RedisError) {
        self = base
        var rest = Substring(url.dropFirst("unix://".count))
        if let question = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: question)...]
            guard query.hasPrefix("db=") else { throw RedisError(.invalidArgument, "Redis URL query may only be db=N: \(url)") }
            database = try Self.database(query.dropFirst(3), url: url)
            rest = rest[..<question]
        }
        guard rest.hasPrefix("/"), rest.count > 1 else {
            throw RedisError(.invalidArgument, "Redis unix URL needs an absolute socket path, unix:///PATH: \(url)")
        }
        unixSocketPath = String(rest)
    }

    private static func database(_ text: Substring, url: String) throws(RedisError) -> Int {
        if text.isEmpty { return 0 }
        guard let n = Int(text), n >= 0 else { throw RedisError(.invalidArgument, "Redis URL database must be a number: \(url)") }
        return n
    }
}
