import Foundation

/// Everything in config.json. Decoding is strict: an unknown key or a missing required value stops start-up.
public struct SwitchboardConfig: Sendable, Decodable {
    /// Where this node listens.
    public var node: NodeConfig
    /// Where Redis is and how keys are named.
    public var redis: RedisSettings
    /// Which contact engine serves contacts.
    public var connect: ConnectConfig
    /// The customer WebSocket hub.
    public var realtime: RealtimeConfig
    /// The contact-event stream.
    public var events: EventsConfig
    /// The Connect bridge ingest.
    public var bridge: BridgeConfig
    /// Origins and every limit.
    public var security: SecurityConfig
    /// The embedded engine's credentials and agents (demo values only).
    public var local: LocalConfig
    /// Routing of contacts to agents.
    public var routing: RoutingConfig
    /// WebRTC settings handed to browsers.
    public var webrtc: WebRTCConfig
    /// Where static files and scripts live.
    public var paths: PathsConfig

    enum CodingKeys: String, CodingKey, CaseIterable {
        case node, redis, connect, realtime, events, bridge, security, local, routing, webrtc, paths
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        node = try c.required(.node)
        redis = try c.required(.redis)
        connect = try c.required(.connect)
        realtime = try c.required(.realtime)
        events = try c.required(.events)
        bridge = try c.required(.bridge)
        security = try c.required(.security)
        local = try c.required(.local)
        routing = try c.optional(.routing, default: try RoutingConfig.defaults())
        webrtc = try c.optional(.webrtc, default: WebRTCConfig(iceServers: []))
        paths = try c.optional(.paths, default: PathsConfig(web: "web", lua: "lua"))
        // Settings that only work together.
        guard Double(realtime.nodeTtlSeconds) >= 2 * realtime.sweepIntervalSeconds, realtime.sweepIntervalSeconds > 0 else {
            // A node refreshes its liveness every sweep; a shorter TTL lets the others take it for dead between two.
            throw SwitchboardError.config("\"realtime.nodeTtlSeconds\" must be at least twice \"realtime.sweepIntervalSeconds\" (and that above 0)")
        }
        guard events.blockMs > 0, events.blockMs < redis.commandTimeoutMs else {
            // The consumer's blocking read would be cut off by the command timeout before Redis answers it.
            throw SwitchboardError.config("\"events.blockMs\" must be above 0 and below \"redis.commandTimeoutMs\"")
        }
    }

    /// Throws, naming the setting, when this node is bound to an address other machines reach and a secret is empty or
    /// still a `local-demo-*` value (SPEC v2 §2). Called once the command line has had its say on `node.host`.
    public func checkSecretsForHost() throws {
        guard !Self.isLoopback(node.host) else { return }
        let secrets = [("bridge.apiKey", bridge.apiKey), ("local.credentials.secretAccessKey", local.credentials.secretAccessKey),
                       ("security.userTokenSecret", security.userTokenSecret)]
        if let (setting, _) = secrets.first(where: { Secret.isDemo($0.1) }) {
            throw SwitchboardError.config("node.host \(node.host) is reachable from other machines, and \"\(setting)\" is empty or a local-demo value: set a real secret (a string, or {\"env\": \"VARIABLE\"})")
        }
        if let agent = local.agents.first(where: { $0.password != nil }) {
            throw SwitchboardError.config("node.host \(node.host) is reachable from other machines, and agent \(agent.username) has a plain \"password\": give it a \"passwordHash\" (switchboard hash-password)")
        }
    }

    /// Whether `host` only takes connections from this machine.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Reads and validates a config file.
    public static func load(path: String) throws -> SwitchboardConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SwitchboardError.config("cannot read \(path)")
        }
        return try decode(data)
    }

    /// Validates config JSON.
    public static func decode(_ data: Data) throws -> SwitchboardConfig {
        do {
            return try JSONDecoder().decode(SwitchboardConfig.self, from: data)
        } catch let error as SwitchboardError {
            throw error
        } catch let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context) {
            throw SwitchboardError.config("\"\(AnyCodingKey.path(context.codingPath))\" must be \(type)")
        } catch let DecodingError.dataCorrupted(context) {
            throw SwitchboardError.config("not valid JSON at \"\(AnyCodingKey.path(context.codingPath))\": \(context.debugDescription)")
        } catch {
            throw SwitchboardError.config("\(error)")
        }
    }
}

/// `node`: this process's listening address and identity.
public struct NodeConfig: Sendable, Decodable {
    /// Address to bind.
    public var host: String
    /// Port to bind; 0 lets the system pick a free one (see `switchboard serve --address-file`).
    public var port: Int
    /// Node id; `nil` makes one from host, pid and randomness.
    public var id: String?
    /// Base URL clients reach this node at (`http(s)://host:port`), for absolute URLs the engine hands out
    /// (participant WebSocket, signaling). `nil` means `http://<host>:<port>`; set it behind a load balancer.
    public var publicUrl: String?

    /// On SIGTERM, how long the node answers `/health` with 503 before it closes its sockets, so that a load
    /// balancer's checks stop sending it clients first (0 closes them at once).
    public var drainSeconds: Double

    enum CodingKeys: String, CodingKey, CaseIterable { case host, port, id, publicUrl, drainSeconds }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.required(.host)
        port = try c.required(.port)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        publicUrl = try c.decodeIfPresent(String.self, forKey: .publicUrl)
        drainSeconds = try c.optional(.drainSeconds, default: 0)
        guard (0...300).contains(drainSeconds) else { throw SwitchboardError.config("\"node.drainSeconds\" must be 0-300") }
    }
}

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

    enum CodingKeys: String, CodingKey, CaseIterable { case url, keyPrefix, poolSize, commandTimeoutMs }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.required(.url)
        keyPrefix = try c.required(.keyPrefix)
        poolSize = try c.optional(.poolSize, default: 8)
        commandTimeoutMs = try c.optional(.commandTimeoutMs, default: 5000)
    }
}

/// `connect`: the contact engine.
public struct ConnectConfig: Sendable, Decodable {
    /// `local` (embedded engine) or `aws`.
    public var mode: String
    /// AWS region.
    public var region: String
    /// Amazon Connect instance id.
    public var instanceId: String
    /// Contact flow id used to start contacts.
    public var contactFlowId: String
    /// AWS mode: Amazon Connect's endpoint (default `https://connect.<region>.amazonaws.com`); any endpoint that speaks
    /// its wire protocol serves, another node's `/connect` included.
    public var endpoint: String
    /// AWS mode: the Participant Service the widget chats through (default
    /// `https://participant.connect.<region>.amazonaws.com`).
    public var participantEndpoint: String
    /// AWS mode: how long one call to Amazon Connect may take.
    public var timeoutMs: Int
    /// AWS mode: attempts per call, the first included (retries of throttling, 5xx and transport failures).
    public var maxAttempts: Int
    /// AWS mode: how long the node keeps what it knows of a contact (attributes, agent) in Redis.
    public var contactRecordTtlSeconds: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, region, instanceId, contactFlowId, endpoint, participantEndpoint, timeoutMs, maxAttempts, contactRecordTtlSeconds
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.required(.mode)
        guard ["local", "aws"].contains(mode) else { throw SwitchboardError.config("\"connect.mode\" must be \"local\" or \"aws\"") }
        region = try c.required(.region)
        instanceId = try c.required(.instanceId)
        contactFlowId = try c.required(.contactFlowId)
        endpoint = try c.optional(.endpoint, default: "https://connect.\(region).amazonaws.com")
        participantEndpoint = try c.optional(.participantEndpoint, default: "https://participant.connect.\(region).amazonaws.com")
        for (key, url) in [("endpoint", endpoint), ("participantEndpoint", participantEndpoint)]
        where !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            throw SwitchboardError.config("\"connect.\(key)\" must be an http(s) URL, got \(url)")
        }
        timeoutMs = try c.optional(.timeoutMs, default: 10000)
        maxAttempts = try c.optional(.maxAttempts, default: 3)
        contactRecordTtlSeconds = try c.optional(.contactRecordTtlSeconds, default: 90000)
        guard timeoutMs > 0, (1...10).contains(maxAttempts), contactRecordTtlSeconds > 0 else {
            throw SwitchboardError.config("\"connect.timeoutMs\" and \"connect.contactRecordTtlSeconds\" must be positive, \"connect.maxAttempts\" 1-10")
        }
    }
}

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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case connectionTtlSeconds, nodeTtlSeconds, sweepIntervalSeconds, replayWindowSeconds, replayMaxPerUser
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        connectionTtlSeconds = try c.required(.connectionTtlSeconds)
        nodeTtlSeconds = try c.optional(.nodeTtlSeconds, default: 15)
        sweepIntervalSeconds = try c.optional(.sweepIntervalSeconds, default: 5)
        replayWindowSeconds = try c.optional(.replayWindowSeconds, default: 600)
        replayMaxPerUser = try c.optional(.replayMaxPerUser, default: 1000)
    }
}

/// `events`: the contact-event stream that replaces EventBridge.
public struct EventsConfig: Sendable, Decodable {
    /// Stream key.
    public var stream: String
    /// Consumer group every node joins.
    public var group: String
    /// Deliveries after which an entry goes to `<stream>:dlq`.
    public var maxDeliveries: Int
    /// Entries read per XREADGROUP.
    public var batchSize: Int
    /// How long one XREADGROUP blocks.
    public var blockMs: Int
    /// A consumer of the group with nothing pending that has not read for this long (a node gone for good, every
    /// restart names a new one) is removed from the group, so `XINFO CONSUMERS` shows the nodes that are.
    public var removeIdleConsumersAfterMs: Int
    /// Pending entries idle this long are claimed by another consumer (a crashed node's work).
    public var claimIdleMs: Int
    /// Approximate MAXLEN the stream is trimmed to.
    public var maxLength: Int
    /// How long processed event ids are remembered for de-duplication.
    public var dedupeTtlSeconds: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case stream, group, maxDeliveries, batchSize, blockMs, claimIdleMs, maxLength, dedupeTtlSeconds, removeIdleConsumersAfterMs
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stream = try c.required(.stream)
        group = try c.required(.group)
        maxDeliveries = try c.required(.maxDeliveries)
        batchSize = try c.optional(.batchSize, default: 128)
        blockMs = try c.optional(.blockMs, default: 1000)
        removeIdleConsumersAfterMs = try c.optional(.removeIdleConsumersAfterMs, default: 3_600_000)
        claimIdleMs = try c.optional(.claimIdleMs, default: 10_000)
        maxLength = try c.optional(.maxLength, default: 1_000_000)
        dedupeTtlSeconds = try c.optional(.dedupeTtlSeconds, default: 86_400)
    }
}

/// `bridge`: the EventBridge API-destination ingest.
public struct BridgeConfig: Sendable, Decodable {
    /// Shared secret in `X-Switchboard-Bridge-Key`.
    public var apiKey: String

    enum CodingKeys: String, CodingKey, CaseIterable { case apiKey }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiKey = try c.requiredSecret(.apiKey)
    }
}

/// `security`: allowed origins and every limit.
public struct SecurityConfig: Sendable, Decodable {
    /// Origins whose browsers may call the API and open sockets.
    public var allowedOrigins: [String]
    /// Request rates; 0 means unlimited.
    public var rateLimits: RateLimits
    /// Largest customer/agent API request body.
    public var maxBodyBytes: Int
    /// Largest `/bridge/events` body (EventBridge's 256 KB).
    public var maxBridgeBodyBytes: Int
    /// Events per bridge request (EventBridge PutEvents' 10).
    public var maxBridgeBatch: Int
    /// Largest WebSocket frame accepted; bigger closes with 1009.
    public var maxFrameBytes: Int
    /// Largest total size of a contact's attributes (keys + values, UTF-8).
    public var maxAttributeBytes: Int
    /// Largest chat message.
    public var maxMessageBytes: Int
    /// Longest customer display name, in characters.
    public var maxCustomerNameChars: Int
    /// Frames queued for one socket before the oldest are dropped (a client that stopped reading).
    public var maxQueuedFramesPerSocket: Int
    /// Key of the `userToken`s the start calls hand out (HMAC-SHA256 of the userId): a socket registers as a user
    /// only with that user's token (SPEC v2 §3, §4).
    public var userTokenSecret: String
    /// Whether `/ws` registration needs the user's token (default true; false only for old clients during a migration).
    public var requireUserToken: Bool
    /// Proxies (CIDRs) whose `X-Forwarded-For` is believed for limits and logs; from anyone else it is ignored.
    public var trustedProxies: [CIDR]
    /// Seconds an agent or signaling socket may stay open without authenticating (auth / join) before it is closed.
    public var socketAuthTimeoutSeconds: Int

    /// Request rate limits.
    public struct RateLimits: Sendable, Decodable {
        /// Contact starts per client IP per minute; 0 = unlimited.
        public var startContactPerMinutePerIp: Int
        /// Local mode: Amazon Connect API calls (`/connect`, SigV4-signed) per access key per second, answered with
        /// `ThrottlingException` beyond it, as Amazon Connect answers past its quotas; 0 = unlimited.
        public var connectApiPerSecondPerKey: Int
        /// Agent login attempts per client IP per minute; 0 = unlimited.
        public var loginPerMinutePerIp: Int
        /// Agent login attempts per username per minute, from anywhere (password guessing spread over many
        /// addresses); 0 = unlimited.
        public var loginPerMinutePerUsername: Int

        enum CodingKeys: String, CodingKey, CaseIterable {
            case startContactPerMinutePerIp, connectApiPerSecondPerKey, loginPerMinutePerIp, loginPerMinutePerUsername
        }

        /// Decodes strictly.
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            startContactPerMinutePerIp = try c.required(.startContactPerMinutePerIp)
            connectApiPerSecondPerKey = try c.optional(.connectApiPerSecondPerKey, default: 0)
            loginPerMinutePerIp = try c.optional(.loginPerMinutePerIp, default: 20)
            loginPerMinutePerUsername = try c.optional(.loginPerMinutePerUsername, default: 10)
            guard [startContactPerMinutePerIp, connectApiPerSecondPerKey, loginPerMinutePerIp, loginPerMinutePerUsername].allSatisfy({ $0 >= 0 }) else {
                throw SwitchboardError.config("\"security.rateLimits\" values must be 0 (unlimited) or more")
            }
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case allowedOrigins, rateLimits, maxBodyBytes, maxBridgeBodyBytes, maxBridgeBatch, maxFrameBytes, maxAttributeBytes, maxMessageBytes,
             maxCustomerNameChars, maxQueuedFramesPerSocket, userTokenSecret, requireUserToken, trustedProxies, socketAuthTimeoutSeconds
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        allowedOrigins = try c.required(.allowedOrigins)
        rateLimits = try c.required(.rateLimits)
        maxBodyBytes = try c.optional(.maxBodyBytes, default: 16_384)
        maxBridgeBodyBytes = try c.optional(.maxBridgeBodyBytes, default: 262_144)
        maxBridgeBatch = try c.optional(.maxBridgeBatch, default: 10)
        maxFrameBytes = try c.optional(.maxFrameBytes, default: 16_384)
        maxAttributeBytes = try c.optional(.maxAttributeBytes, default: 32_768)
        maxMessageBytes = try c.optional(.maxMessageBytes, default: 4_096)
        maxCustomerNameChars = try c.optional(.maxCustomerNameChars, default: 128)
        maxQueuedFramesPerSocket = try c.optional(.maxQueuedFramesPerSocket, default: 1_024)
        userTokenSecret = try c.requiredSecret(.userTokenSecret)
        requireUserToken = try c.optional(.requireUserToken, default: true)
        socketAuthTimeoutSeconds = try c.optional(.socketAuthTimeoutSeconds, default: 10)
        guard (1...300).contains(socketAuthTimeoutSeconds) else { throw SwitchboardError.config("\"security.socketAuthTimeoutSeconds\" must be 1-300") }
        let proxies: [String] = try c.optional(.trustedProxies, default: [])
        trustedProxies = try proxies.map { text in
            guard let block = CIDR(text) else { throw SwitchboardError.config("\"security.trustedProxies\" has \(text), which is not an address or CIDR") }
            return block
        }
    }
}

/// `local`: the embedded engine's demo credentials and agents.
public struct LocalConfig: Sendable, Decodable {
    /// SigV4 credentials the embedded Connect API accepts.
    public var credentials: Credentials
    /// Agents who may log in to the agent app.
    public var agents: [Agent]
    /// Lifetime of participant, connection and join tokens (Connect's connection expiry is a day).
    public var participantTokenTtlSeconds: Int
    /// Transcript items kept per contact (a capped stream); older ones are trimmed.
    public var transcriptMaxItems: Int
    /// How long an ended contact (record, transcript, participants) stays readable.
    public var endedRetentionSeconds: Int
    /// How long a SendMessage/SendEvent `ClientToken` is remembered, so an SDK retry does not post twice.
    public var clientTokenTtlSeconds: Int
    /// A chat nobody ends is ended (`EXPIRED`) this long after it started, unless StartChatContact's
    /// `ChatDurationInMinutes` says otherwise; Connect's default is 25 hours.
    public var chatDurationSeconds: Int
    /// A voice contact nobody ends is ended (`EXPIRED`) this long after it started.
    public var voiceDurationSeconds: Int
    /// How long a node has to finish the steps of starting or ending a contact before any node's sweeper completes them
    /// (the node may have died midway; README "Contact lifecycle").
    public var lifecycleGraceMs: Int

    /// An AWS-style access key pair.
    public struct Credentials: Sendable, Decodable {
        /// Access key id.
        public var accessKeyId: String
        /// Secret access key.
        public var secretAccessKey: String

        enum CodingKeys: String, CodingKey, CaseIterable { case accessKeyId, secretAccessKey }

        /// Decodes strictly.
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            accessKeyId = try c.required(.accessKeyId)
            secretAccessKey = try c.requiredSecret(.secretAccessKey)
        }
    }

    /// One agent.
    public struct Agent: Sendable, Decodable {
        /// Login name, also the agent id.
        public var username: String
        /// Plain password: config.json's demo agents, on loopback only (SPEC v2 §2); nil when `passwordHash` is set.
        public var password: String?
        /// `switchboard hash-password`'s salted, slow hash of the password (PBKDF2-SHA256).
        public var passwordHash: String?
        /// Name shown to customers.
        public var displayName: String
        /// Concurrent chats.
        public var chatCapacity: Int
        /// Concurrent voice contacts.
        public var voiceCapacity: Int

        enum CodingKeys: String, CodingKey, CaseIterable { case username, password, passwordHash, displayName, chatCapacity, voiceCapacity }

        /// Decodes strictly.
        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            username = try c.required(.username)
            password = try c.contains(.password) ? c.requiredSecret(.password) : nil
            passwordHash = try c.contains(.passwordHash) ? c.requiredSecret(.passwordHash) : nil
            let agent = AnyCodingKey.path(c.codingPath)
            guard (password == nil) != (passwordHash == nil) else {
                throw SwitchboardError.config("\"\(agent)\" needs exactly one of \"password\" and \"passwordHash\"")
            }
            if let passwordHash, !PasswordHash.isWellFormed(passwordHash) {
                throw SwitchboardError.config("\"\(agent).passwordHash\" is not a hash made by switchboard hash-password")
            }
            displayName = try c.required(.displayName)
            chatCapacity = try c.optional(.chatCapacity, default: 3)
            voiceCapacity = try c.optional(.voiceCapacity, default: 1)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case credentials, agents, participantTokenTtlSeconds, transcriptMaxItems, endedRetentionSeconds, clientTokenTtlSeconds,
             chatDurationSeconds, voiceDurationSeconds, lifecycleGraceMs
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        credentials = try c.required(.credentials)
        agents = try c.required(.agents)
        participantTokenTtlSeconds = try c.optional(.participantTokenTtlSeconds, default: 86_400)
        transcriptMaxItems = try c.optional(.transcriptMaxItems, default: 10_000)
        endedRetentionSeconds = try c.optional(.endedRetentionSeconds, default: 86_400)
        clientTokenTtlSeconds = try c.optional(.clientTokenTtlSeconds, default: 3_600)
        chatDurationSeconds = try c.optional(.chatDurationSeconds, default: 90_000)
        voiceDurationSeconds = try c.optional(.voiceDurationSeconds, default: 43_200)
        lifecycleGraceMs = try c.optional(.lifecycleGraceMs, default: 10_000)
        for (key, value) in [("chatDurationSeconds", chatDurationSeconds), ("voiceDurationSeconds", voiceDurationSeconds),
                             ("lifecycleGraceMs", lifecycleGraceMs)] where value < 1 {
            throw SwitchboardError.config("\"local.\(key)\" must be at least 1")
        }
    }
}

/// `routing`: how contacts reach agents.
public struct RoutingConfig: Sendable, Decodable {
    /// How long an escalated contact waits for the agent of its related contact.
    public var preferredAgentSeconds: Int
    /// How long an agent has to accept an offer.
    public var offerTimeoutSeconds: Int
    /// How long an agent who rejected a contact is skipped for it.
    public var rejectCooldownSeconds: Int
    /// Queue for contacts started through the API.
    public var defaultQueue: String
    /// How long an agent session token lives.
    public var sessionTtlSeconds: Int
    /// How often offer deadlines are checked.
    public var tickIntervalMs: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case preferredAgentSeconds, offerTimeoutSeconds, rejectCooldownSeconds, defaultQueue, sessionTtlSeconds, tickIntervalMs
    }

    static func defaults() throws -> RoutingConfig { try JSONDecoder().decode(RoutingConfig.self, from: Data("{}".utf8)) }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        preferredAgentSeconds = try c.optional(.preferredAgentSeconds, default: 30)
        offerTimeoutSeconds = try c.optional(.offerTimeoutSeconds, default: 20)
        rejectCooldownSeconds = try c.optional(.rejectCooldownSeconds, default: 60)
        defaultQueue = try c.optional(.defaultQueue, default: "default")
        sessionTtlSeconds = try c.optional(.sessionTtlSeconds, default: 43_200)
        tickIntervalMs = try c.optional(.tickIntervalMs, default: 500)
    }
}

/// `webrtc`: what browsers get for ICE.
public struct WebRTCConfig: Sendable, Decodable {
    /// RTCIceServer entries passed to browsers as they are (urls, username, credential).
    public var iceServers: [IceServer]

    /// One RTCIceServer.
    public struct IceServer: Sendable, Codable {
        /// STUN/TURN URLs.
        public var urls: [String]
        /// TURN user name.
        public var username: String?
        /// TURN credential.
        public var credential: String?
    }

    init(iceServers: [IceServer]) { self.iceServers = iceServers }

    enum CodingKeys: String, CodingKey, CaseIterable { case iceServers }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iceServers = try c.optional(.iceServers, default: [])
    }
}

/// `paths`: folders the server reads, relative to the working directory.
public struct PathsConfig: Sendable, Decodable {
    /// Static web files.
    public var web: String
    /// Lua scripts.
    public var lua: String

    init(web: String, lua: String) {
        self.web = web
        self.lua = lua
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case web, lua }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        web = try c.optional(.web, default: "web")
        lua = try c.optional(.lua, default: "lua")
    }
}
