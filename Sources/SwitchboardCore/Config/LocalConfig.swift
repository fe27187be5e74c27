import Foundation

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

        package enum CodingKeys: String, CodingKey, CaseIterable { case accessKeyId, secretAccessKey }

        /// Decodes strictly.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
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
        /// The routing profile (`routing.profiles`) whose queues the agent serves; nil: the profile of `routing.defaultQueue`.
        public var routingProfile: String?

        package enum CodingKeys: String, CodingKey, CaseIterable {
            case username, password, passwordHash, displayName, chatCapacity, voiceCapacity, routingProfile
        }

        /// Decodes strictly.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
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
            chatCapacity = try c.optional(.chatCapacity, default: 3, min: 0, max: 1000)
            voiceCapacity = try c.optional(.voiceCapacity, default: 1, min: 0, max: 1000)
            routingProfile = try c.decodeIfPresent(String.self, forKey: .routingProfile)
        }
    }

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case credentials, agents, participantTokenTtlSeconds, transcriptMaxItems, endedRetentionSeconds, clientTokenTtlSeconds,
             chatDurationSeconds, voiceDurationSeconds, lifecycleGraceMs
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        credentials = try c.required(.credentials)
        agents = try c.required(.agents)
        participantTokenTtlSeconds = try c.optional(.participantTokenTtlSeconds, default: 86_400)
        transcriptMaxItems = try c.optional(.transcriptMaxItems, default: 10_000)
        endedRetentionSeconds = try c.optional(.endedRetentionSeconds, default: 86_400)
        clientTokenTtlSeconds = try c.optional(.clientTokenTtlSeconds, default: 3_600)
        chatDurationSeconds = try c.optional(.chatDurationSeconds, default: 90_000)
        voiceDurationSeconds = try c.optional(.voiceDurationSeconds, default: 43_200)
        lifecycleGraceMs = try c.optional(.lifecycleGraceMs, default: 10_000, min: 1)
        for (key, value) in [("chatDurationSeconds", chatDurationSeconds), ("voiceDurationSeconds", voiceDurationSeconds)] where value < 1 {
            throw SwitchboardError.config("\"local.\(key)\" must be at least 1")
        }
    }
}
