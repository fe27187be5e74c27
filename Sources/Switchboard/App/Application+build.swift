import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Prometheus
import RedisClient
import ServiceLifecycle

/// What a node needs to start, beyond config.json.
public struct NodeOptions: Sendable {
    /// Validated configuration (flags already applied).
    public var config: SwitchboardConfig
    /// This node's id.
    public var nodeId: String
    /// Metrics registry that `/metrics` renders; the process bootstraps swift-metrics with it.
    public var registry: PrometheusCollectorRegistry

    /// Bundles start-up options.
    public init(config: SwitchboardConfig, nodeId: String, registry: PrometheusCollectorRegistry) {
        self.config = config
        self.nodeId = nodeId
        self.registry = registry
    }

    /// A node id unique across hosts and restarts: host, pid and randomness.
    public static func makeNodeId() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "node"
        return "\(host)-\(getpid())-\(UUID().uuidString.prefix(6).lowercased())"
    }
}

/// Builds one node: the HTTP/WebSocket server and its long-lived services.
public func buildApplication(_ options: NodeOptions, logger baseLogger: Logger) async throws -> some ApplicationProtocol {
    let logger = {
        var logger = baseLogger
        logger[metadataKey: "node"] = "\(options.nodeId)"
        return logger
    }()
    let config = options.config
    let redisConfiguration = try RedisConfiguration(
        url: config.redis.url,
        base: RedisConfiguration(poolSize: config.redis.poolSize, commandTimeout: .milliseconds(Int64(config.redis.commandTimeoutMs))))
    var redisLogger = logger
    redisLogger[metadataKey: "component"] = "redis"
    let redis = RedisClient(configuration: redisConfiguration, logger: redisLogger)

    let keys = RedisKeys(prefix: config.redis.keyPrefix)
    let eventLog = EventLog(redis: redis, config: config.events)
    let engine = try await buildEngine(config: config, nodeId: options.nodeId, redis: redis, keys: keys, events: eventLog, logger: logger)
    let contacts: any ContactService = engine.engine

    let router = Router(context: AppRequestContext.self)
    router.add(middleware: JSONErrorMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: OriginMiddleware(allowed: Set(config.security.allowedOrigins)))
    router.addRoutes(HealthController(redis: redis, nodeId: options.nodeId, registry: options.registry).endpoints)
    router.addRoutes(CustomerController(contacts: contacts,
                                        rateLimiter: RateLimiter(redis: redis, keys: keys, perMinute: config.security.rateLimits.startContactPerMinutePerIp),
                                        security: config.security).endpoints)
    engine.addRoutes(router)

    var app = Application(
        router: router,
        server: .http1WebSocketUpgrade(webSocketRouter: router,
                                       configuration: .init(ws: .init(maxFrameSize: config.security.maxFrameBytes))),
        configuration: .init(address: .hostname(config.node.host, port: config.node.port), serverName: "switchboard"),
        onServerRunning: { channel in
            logger.info("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
        },
        logger: logger
    )
    app.addServices(redis)
    app.addServices(engine.services)
    return app
}
