import Foundation

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
    /// Longest customer display name, in Unicode code points as sent (JSON Schema's `maxLength`).
    public var maxCustomerNameChars: Int
    /// Frames queued for one socket before the oldest are dropped (a client that stopped reading).
    public var maxQueuedFramesPerSocket: Int
    /// Key of the `userToken`s the start calls hand out (HMAC-SHA256 of the userId): a socket registers as a user
    /// only with that user's token (SPEC v2 §3, §4).
    public var userTokenSecret: String
    /// Bearer token `GET /metrics` asks for (a string or `{"env"}`); empty serves metrics to anyone who reaches the node.
    public var metricsToken: String
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
        /// Local mode: Participant Service calls (`/connect/participant/...`) per participant or connection token per
        /// second, answered with `ThrottlingException` beyond it; 0 = unlimited.
        public var participantApiPerSecondPerToken: Int
        /// Customer sockets (`/ws`) opened per client IP per minute; beyond it the upgrade gets 429; 0 = unlimited.
        public var wsRegisterPerMinutePerIp: Int
        /// Requests with a missing or wrong bridge key per client IP per minute; beyond it every bridge request from
        /// that IP gets 429 until the window ends, right key or not, so the key cannot be guessed; 0 = unlimited.
        public var bridgeAuthFailuresPerMinutePerIp: Int

        package enum CodingKeys: String, CodingKey, CaseIterable {
            case startContactPerMinutePerIp, connectApiPerSecondPerKey, loginPerMinutePerIp, loginPerMinutePerUsername
            case participantApiPerSecondPerToken, wsRegisterPerMinutePerIp, bridgeAuthFailuresPerMinutePerIp
        }

        /// Decodes strictly.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            startContactPerMinutePerIp = try c.required(.startContactPerMinutePerIp)
            connectApiPerSecondPerKey = try c.optional(.connectApiPerSecondPerKey, default: 0)
            loginPerMinutePerIp = try c.optional(.loginPerMinutePerIp, default: 20)
            loginPerMinutePerUsername = try c.optional(.loginPerMinutePerUsername, default: 10)
            participantApiPerSecondPerToken = try c.optional(.participantApiPerSecondPerToken, default: 20)
            wsRegisterPerMinutePerIp = try c.optional(.wsRegisterPerMinutePerIp, default: 120)
            bridgeAuthFailuresPerMinutePerIp = try c.optional(.bridgeAuthFailuresPerMinutePerIp, default: 10)
            guard [startContactPerMinutePerIp, connectApiPerSecondPerKey, loginPerMinutePerIp, loginPerMinutePerUsername,
                   participantApiPerSecondPerToken, wsRegisterPerMinutePerIp, bridgeAuthFailuresPerMinutePerIp].allSatisfy({ $0 >= 0 }) else {
                throw SwitchboardError.config("\"security.rateLimits\" values must be 0 (unlimited) or more")
            }
        }
    }

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case allowedOrigins, rateLimits, maxBodyBytes, maxBridgeBodyBytes, maxBridgeBatch, maxFrameBytes, maxAttributeBytes, maxMessageBytes,
             maxCustomerNameChars, maxQueuedFramesPerSocket, userTokenSecret, requireUserToken, trustedProxies, socketAuthTimeoutSeconds,
             metricsToken
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        allowedOrigins = try c.required(.allowedOrigins)
        rateLimits = try c.required(.rateLimits)
        maxBodyBytes = try c.optional(.maxBodyBytes, default: 16_384, min: 1)
        maxBridgeBodyBytes = try c.optional(.maxBridgeBodyBytes, default: 262_144, min: 1)
        maxBridgeBatch = try c.optional(.maxBridgeBatch, default: 10, min: 1)
        maxFrameBytes = try c.optional(.maxFrameBytes, default: 16_384, min: 1)
        maxAttributeBytes = try c.optional(.maxAttributeBytes, default: 32_768, min: 1)
        maxMessageBytes = try c.optional(.maxMessageBytes, default: 4_096, min: 1)
        maxCustomerNameChars = try c.optional(.maxCustomerNameChars, default: 128, min: 1)
        maxQueuedFramesPerSocket = try c.optional(.maxQueuedFramesPerSocket, default: 1_024, min: 1)
        userTokenSecret = try c.requiredSecret(.userTokenSecret)
        metricsToken = try c.decodeIfPresent(Secret.self, forKey: .metricsToken)?.value ?? ""
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
