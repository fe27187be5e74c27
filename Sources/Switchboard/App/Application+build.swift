import SwitchboardCore
import ContactEngine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
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
    /// Where to write `host:port` once the listener is bound (`serve --address-file`), or `nil`.
    public var addressFile: String?

    /// Bundles start-up options.
    public init(config: SwitchboardConfig, nodeId: String, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                addressFile: String? = nil) {
        self.config = config
        self.nodeId = nodeId
        self.registry = registry
        self.addressFile = addressFile
    }

    /// A node id unique across hosts and restarts: host, pid and randomness.
    public static func makeNodeId() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "node"
        return "\(host)-\(getpid())-\(UUID().uuidString.prefix(6).lowercased())"
    }
}

/// One running node: the HTTP/WebSocket application with its services, and the drain step that runs first on SIGTERM.
public struct SwitchboardNode: Service {
    let app: any Service
    let drain: any Service
    let logger: Logger

    /// Runs until SIGTERM/SIGINT, then drains (SPEC §1) and returns.
    public func run() async throws {
        // Groups stop in reverse order: the drain (close sockets with 1012) before the application stops accepting.
        let group = ServiceGroup(configuration: .init(services: [.init(service: app), .init(service: drain)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Builds one node: the HTTP/WebSocket application, then the drain that must stop before it (see ``SwitchboardNode``).
public func buildNode(_ options: NodeOptions, logger: Logger) async throws -> SwitchboardNode {
    let (app, drain) = try await buildApplication(options, logger: logger)
    return SwitchboardNode(app: app, drain: drain, logger: logger)
}

/// Builds the HTTP/WebSocket application with its long-lived services (what tests run in-process with
/// HummingbirdTesting), and the service that drains it on SIGTERM, which must stop before the application does.
public func buildApplication(_ options: NodeOptions, logger baseLogger: Logger) async throws
    -> (application: some ApplicationProtocol, drain: some Service) {
    let logger = {
        var logger = baseLogger
        logger[metadataKey: "node"] = "\(options.nodeId)"
        return logger
    }()
    let config = options.config
    let redisConfiguration = try config.redis.clientConfiguration()
    let redis = RedisClient(configuration: redisConfiguration, logger: logger)
    let scripts = try ScriptCatalog.read(directory: config.paths.lua)
    let keys = RedisKeys(prefix: config.redis.keyPrefix)
    let eventLog = EventLog(redis: redis, config: config.events, scripts: scripts)
    let address = ListeningAddress(config.node)
    // Debug builds only: what a fault test armed in SWITCHBOARD_FAILPOINT, for the engine and the consumer alike.
    let failpoints = Failpoints(environment: ProcessInfo.processInfo.environment)
    let hub = RealtimeHub(redis: redis, scripts: scripts, keys: keys, nodeId: options.nodeId, config: config.realtime,
                          dedupeTtlSeconds: config.events.dedupeTtlSeconds,
                          sockets: SocketHub(bufferLimit: config.security.maxQueuedFramesPerSocket), logger: logger)
    let frames = HubFrameSink(realtime: hub, topicTtlMs: config.routing.sessionTtlSeconds * 1000)
    let clientAddress = ClientAddress(trustedProxies: config.security.trustedProxies)
    let limits = config.security.rateLimits
    let bridgeKey = BridgeKeyGuard(apiKey: config.bridge.apiKey,
                                   failures: RateLimiter(redis: redis, keys: keys, limit: limits.bridgeAuthFailuresPerMinutePerIp),
                                   clientAddress: clientAddress)
    let backend = config.connect.mode == "aws"
        ? try buildAWSBackend(config: config, redis: redis, keys: keys, bridgeKey: bridgeKey, logger: logger)
        : try await buildEngine(config: config, address: address, redis: redis, scripts: scripts, keys: keys,
                                events: InlineEventSink(log: eventLog, hub: hub, logger: logger), frames: frames,
                                failpoints: failpoints, logger: logger)
    let contacts = backend.contacts

    let subscription = SubscriptionStatus()
    let tokens = UserTokens(secret: config.security.userTokenSecret)
    let router = Router(context: AppRequestContext.self)
    // Outermost first: refuse foreign origins, add CORS headers (to errors too, so a cross-origin widget can read a
    // 429), then turn errors into SPEC §3's JSON.
    router.add(middleware: OriginMiddleware(allowed: Set(config.security.allowedOrigins)))
    // `.originBased` echoes the request's origin: only allowed ones get this far.
    router.add(middleware: CORSMiddleware(allowOrigin: .originBased,
                                          // What the widget and the AWS SDK for JavaScript send (Participant Service, SigV4).
                                          allowHeaders: [.contentType, .authorization] + ["X-Amz-Bearer", "X-Amz-Date", "X-Amz-Security-Token",
                                              "X-Amz-User-Agent", "X-Amz-Content-Sha256", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request"]
                                              .map { HTTPField.Name($0)! },
                                          allowMethods: [.get, .post, .put, .delete, .options],
                                          exposedHeaders: ["x-amzn-ErrorType", "x-amzn-RequestId", "Retry-After"], maxAge: .seconds(600)))
    router.add(middleware: JSONErrorMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: WebController.files(root: config.paths.web, mode: config.connect.mode))
    router.addRoutes(HealthController(redis: redis, nodeId: options.nodeId, registry: options.registry, sockets: hub.sockets, metricsToken: config.security.metricsToken,
                                            notReady: { backend.isReady() ? subscription.notReady : "starting" }).endpoints)
    router.addRoutes(WebController(connect: config.connect).endpoints)
    router.addRoutes(CustomerController(contacts: contacts,
                                        rateLimiter: RateLimiter(redis: redis, keys: keys, limit: limits.startContactPerMinutePerIp),
                                        security: config.security, tokens: tokens, clientAddress: clientAddress).endpoints)
    router.addRoutes(BridgeController(events: eventLog, key: bridgeKey, security: config.security).endpoints)
    let socketOpenings = RateLimiter(redis: redis, keys: keys, limit: limits.wsRegisterPerMinutePerIp)
    let maxFrame = config.security.maxFrameBytes
    router.ws("ws", shouldUpgrade: { _, _ in
        // A draining node sends new sockets elsewhere.
        guard !hub.sockets.isDraining else { throw SwitchboardError.unavailable("node is restarting; reconnect") }
        return .upgrade([:])
    }) { inbound, outbound, context in
        guard try await CustomerSocket.admit(clientAddress.of(context.request, context: context.requestContext), limiter: socketOpenings,
                                             outbound: outbound) else { return }
        try await CustomerSocket(hub: hub, maxFrameBytes: maxFrame,
                                 tokens: config.security.requireUserToken ? tokens : nil, logger: context.logger)
            .run(inbound: inbound, outbound: outbound)
    }
    backend.addRoutes(router)

    var app = Application(
        router: router,
        server: try HTTPServerBuilder.guardedHTTP1WebSocketUpgrade(webSocketRouter: router, configuration: .init(ws: .init(maxFrameSize: maxFrame)))
            .withTLS(config.node.tls),
        configuration: .init(address: .hostname(config.node.host, port: config.node.port), serverName: "switchboard"),
        onServerRunning: { channel in
            if let port = channel.localAddress?.port { address.bound(port: port) }
            logger.info("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            guard let path = options.addressFile else { return }
            do {
                try address.write(to: path)
            } catch {
                // Whoever waits for the file would wait in vain: better to stop than to serve unseen.
                logger.critical("cannot write the address file; stopping", metadata: ["path": "\(path)", "error": "\(error)"])
                exit(1)
            }
        },
        logger: logger
    )
    app.beforeServerStarts {
        do {
            try await ScriptCatalog.preload(scripts, into: redis)
        } catch {
            logger.warning("could not load Lua scripts yet; they load on first use", metadata: ["error": "\(error)"])
        }
    }
    // Stopped in reverse order after the server: consumer finishes its batch, then sweeper, subscriber, Redis.
    app.addServices(redis, NodeSubscriber(hub: hub, frames: frames, status: subscription), HubSweeper(hub: hub),
                    EventConsumer(redis: redis, config: config.events, consumer: options.nodeId, contacts: contacts, hub: hub, logger: logger,
                                  failpoints: failpoints))
    app.addServices(backend.services)
    return (app, HubDrain(hub: hub, drainSeconds: config.node.drainSeconds))
}
