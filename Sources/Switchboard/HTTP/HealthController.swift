import ConnectWire
import SwitchboardCore
import ContactEngine
import Hummingbird
import Metrics
import Prometheus
import RedisClient

/// `GET /health` and `GET /metrics`.
struct HealthController: Sendable {
    let redis: RedisClient
    let nodeId: String
    let registry: PrometheusCollectorRegistry
    let sockets: SocketHub
    /// `security.metricsToken`; empty leaves `/metrics` open.
    let metricsToken: String
    /// Why the node cannot route and deliver now (`starting`: agents not registered or a bus not yet subscribed;
    /// `subscription-down`: its push channel was lost), or nil when it can.
    let notReady: @Sendable () -> String?
    let poolInFlight = Gauge(label: "redis_pool_commands_in_flight")
    let poolConnected = Gauge(label: "redis_pool_connections_connected")
    let socketsOpen = Gauge(label: "realtime_sockets_open")

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("health", use: health)
            .get("metrics", use: metrics)
    }

    @Sendable func health(request: Request, context: AppRequestContext) async throws -> Response {
        let redisOK = (try? await redis.ping()) == "PONG"
        // A draining node reports unavailable so a load balancer stops sending it clients.
        if sockets.isDraining {
            return try jsonResponse(HealthStatus(status: "draining", redis: nil, node: nodeId), status: .serviceUnavailable)
        }
        let reason = redisOK ? notReady() : "unavailable"
        let ready = reason == nil
        let status = reason ?? "ok"
        return try jsonResponse(HealthStatus(status: status, redis: redisOK ? "ok" : "unreachable", node: nodeId),
                                status: ready ? .ok : .serviceUnavailable)
    }

    @Sendable func metrics(request: Request, context: AppRequestContext) async throws -> Response {
        if !metricsToken.isEmpty {
            // Compared in constant time, like every secret: the metrics tell who is connected and how busy the node is.
            let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
            guard ByteEncoding.secretsEqual(given, metricsToken) else {
                throw SwitchboardError.unauthorized("Authorization: Bearer <security.metricsToken> is required")
            }
        }
        poolInFlight.record(redis.commandsInFlight)
        poolConnected.record(redis.connectedCount)
        socketsOpen.record(sockets.count)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
}
