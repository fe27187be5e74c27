import Foundation
import NIOCore
import NIOSSL

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
    /// ACL user sent with `AUTH` (`redis://user:password@...`); `nil` means Redis's `default` user.
    public var username: String?
    /// Password sent with `AUTH` on every new connection; `nil` sends no `AUTH`.
    public var password: String?
    /// TLS, for `rediss://` URLs: the context every connection's handshake uses, made once.
    public var tls: TLSSettings?
    /// Redis Cluster: the URL names one seed node; commands go to the master of their key's slot.
    public var cluster = false

    /// What TLS to Redis uses: a context made from the CA and client certificate, and the name the server's certificate
    /// must carry.
    public struct TLSSettings: Sendable {
        /// Made once: loading certificates is far slower than a handshake.
        public var context: NIOSSLContext
        /// Sent as SNI and checked against the certificate; `nil` for an IP address, which is checked against the
        /// certificate's IP entries instead.
        public var serverName: String?
    }

    /// The files TLS to Redis reads (`redis.tls`).
    public struct TLSFiles: Sendable {
        /// PEM CA certificate(s) that signed the server's certificate; `nil` trusts the system's roots.
        public var caFile: String?
        /// PEM client certificate, for a Redis that requires one (`tls-auth-clients yes`).
        public var certFile: String?
        /// PEM private key of `certFile`.
        public var keyFile: String?
        /// The name to expect on the server's certificate, when it is not the URL's host.
        public var serverName: String?

        /// Files as `redis.tls` names them.
        public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, serverName: String? = nil) {
            (self.caFile, self.certFile, self.keyFile, self.serverName) = (caFile, certFile, keyFile, serverName)
        }
    }

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

    /// Parses `redis[s]://[[USER]:PASSWORD@]HOST:PORT[/DB]`, or `unix:///PATH[?db=DB]` for a Unix domain socket,
    /// keeping the other settings. `rediss://` is TLS, using `tlsFiles` (the system's roots when there are none); files
    /// without `rediss://` are refused rather than ignored. Errors never repeat the password.
    public init(url: String, tlsFiles: TLSFiles? = nil, base: RedisConfiguration = RedisConfiguration()) throws(RedisError) {
        self = base
        let shown = Self.redacted(url)
        if url.hasPrefix("unix://") {
            guard tlsFiles == nil else { throw RedisError(.invalidArgument, "TLS settings need a rediss:// URL, not \(shown)") }
            try self.init(unixURL: url, base: base)
            return
        }
        let secure = url.hasPrefix("rediss://")
        guard secure || url.hasPrefix("redis://") else {
            throw RedisError(.invalidArgument,
                             "Redis URL must look like redis[s]://[USER:PASSWORD@]HOST:PORT[/DB] or unix:///PATH[?db=DB], got \(shown)")
        }
        guard secure || tlsFiles == nil else { throw RedisError(.invalidArgument, "TLS settings need a rediss:// URL, not \(shown)") }
        var rest = Substring(url.drop(while: { $0 != "/" }).dropFirst(2))
        if let at = rest.lastIndex(of: "@") {
            try readCredentials(rest[..<at], url: shown)
            rest = rest[rest.index(after: at)...]
        }
        if let slash = rest.firstIndex(of: "/") {
            database = try Self.database(rest[rest.index(after: slash)...], url: shown)
            rest = rest[..<slash]
        }
        // An IPv6 address is bracketed, and its own colons are not the port's.
        if let colon = rest.lastIndex(of: ":"), !rest.hasPrefix("[") || rest[..<colon].hasSuffix("]") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                throw RedisError(.invalidArgument, "Redis URL port must be 1-65535: \(shown)")
            }
            port = p
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw RedisError(.invalidArgument, "Redis URL has no host: \(shown)") }
        host = rest.hasPrefix("[") && rest.hasSuffix("]") ? String(rest.dropFirst().dropLast()) : String(rest)
        unixSocketPath = nil
        tls = secure ? try Self.tlsSettings(tlsFiles ?? TLSFiles(), host: host) : nil
    }

    /// `USER:PASSWORD`, `:PASSWORD` or `PASSWORD` (percent-encoded, as in any URL).
    private mutating func readCredentials(_ text: Substring, url: String) throws(RedisError) {
        let user: Substring?, secret: Substring
        if let colon = text.firstIndex(of: ":") {
            (user, secret) = (text[..<colon], text[text.index(after: colon)...])
        } else {
            (user, secret) = (nil, text)
        }
        guard let decodedSecret = String(secret).removingPercentEncoding, !decodedSecret.isEmpty,
              let decodedUser = user.map({ String($0).removingPercentEncoding }) ?? "" else {
            throw RedisError(.invalidArgument, "Redis URL credentials must be USER:PASSWORD, percent-encoded: \(url)")
        }
        (username, password) = (decodedUser.isEmpty ? nil : decodedUser, decodedSecret)
    }

    private static func tlsSettings(_ files: TLSFiles, host: String) throws(RedisError) -> TLSSettings {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        do {
            if let caFile = files.caFile { tls.trustRoots = .file(caFile) }
            switch (files.certFile, files.keyFile) {
            case (let cert?, let key?):
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            case (nil, nil):
                break
            default:
                throw RedisError(.invalidArgument, "a TLS client certificate needs both certFile and keyFile")
            }
            let context = try NIOSSLContext(configuration: tls)
            let name = files.serverName ?? host
            let isAddress = name.contains(":") || name.split(separator: ".").allSatisfy { UInt8($0) != nil }
            return TLSSettings(context: context, serverName: isAddress ? nil : name)
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError(.invalidArgument, "cannot set up TLS to Redis (caFile, certFile, keyFile): \(error)")
        }
    }

    /// `url` with its password replaced by `***`, for messages and logs.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
        let credentials = url[scheme.upperBound..<at]
        let user = credentials.firstIndex(of: ":").map { String(credentials[..<$0]) + ":" } ?? ""
        return url[..<scheme.upperBound] + user + "***" + url[at...]
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
