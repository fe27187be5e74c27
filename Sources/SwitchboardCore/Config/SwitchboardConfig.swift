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

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case node, redis, connect, realtime, events, bridge, security, local, routing, webrtc, paths
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
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
        for agent in local.agents {
            if let profile = agent.routingProfile, !routing.profileNames.contains(profile) {
                throw SwitchboardError.config("agent \(agent.username) has \"routingProfile\" \"\(profile)\", which \"routing.profiles\" does not define")
            }
        }
    }

    /// The routing profile of an agent: its `routingProfile`, else (also for an agent config no longer lists) the profile
    /// of `routing.defaultQueue`.
    public func routingProfile(ofAgent agentId: String) -> String {
        local.agents.first { $0.username == agentId }?.routingProfile ?? routing.defaultProfile
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
    package static func isLoopback(_ host: String) -> Bool {
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
