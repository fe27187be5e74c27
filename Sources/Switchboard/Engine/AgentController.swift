import Synchronization
import Foundation
import Hummingbird
import HummingbirdWebSocket

/// The agent application's API (docs/agent-api.md): login/logout and the agent socket `/agent/ws`.
struct AgentController: Sendable {
    let engine: LocalContactEngine
    let sockets: EngineSockets

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/agent/api/login", use: login)
        router.post("/agent/api/logout", use: logout)
        router.ws("/agent/ws", onUpgrade: { inbound, outbound, _ in
            let session = AgentSession(engine: engine, sockets: sockets)
            try await sockets.serve(inbound: inbound, outbound: outbound, maxFrameBytes: engine.config.security.maxFrameBytes,
                                    authTimeout: .seconds(engine.config.security.socketAuthTimeoutSeconds),
                                    authenticated: { session.agentId != nil }) { id, reply, text in
                await session.handle(id: id, reply: reply, text: text)
            }
        })
    }

    @Sendable func login(request: Request, context: AppRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: engine.config.security.maxBodyBytes)
        guard let body = JSON.object(buffer.readableBytesView) else { throw APIError.invalid("body must be a JSON object") }
        guard let username = body["username"] as? String, let password = body["password"] as? String else {
            throw APIError.invalid("\"username\" and \"password\" are required strings")
        }
        // Password guessing: from one address, and at one username from many.
        let limits = engine.config.security.rateLimits
        try await RateLimiter(redis: engine.redis, keys: engine.keys, limit: limits.loginPerMinutePerIp)
            .check("login-ip", ip: ClientAddress(trustedProxies: engine.config.security.trustedProxies).of(request, context: context))
        try await RateLimiter(redis: engine.redis, keys: engine.keys, limit: limits.loginPerMinutePerUsername)
            .check("login-user", ip: String(username.prefix(128)))
        guard let (token, agent) = try await engine.login(username: username, password: password) else {
            throw APIError.unauthorized("unknown username or wrong password")
        }
        return try jsonResponse(["token": token, "agentId": agent.username, "displayName": agent.displayName])
    }

    @Sendable func logout(request: Request, context: AppRequestContext) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError.unauthorized("Authorization: Bearer <token> is required")
        }
        try await engine.logout(session: String(header.dropFirst("Bearer ".count)))
        return Response(status: .noContent)
    }
}

/// One agent socket's state: which agent it authenticated as. Frames of one socket are handled one at a time.
final class AgentSession: Sendable {
    let engine: LocalContactEngine
    let sockets: EngineSockets
    private let agent = Mutex<String?>(nil)

    /// The agent this socket authenticated as, once it has.
    var agentId: String? { agent.withLock { $0 } }

    init(engine: LocalContactEngine, sockets: EngineSockets) {
        self.engine = engine
        self.sockets = sockets
    }

    func handle(id: Int, reply: AsyncStream<EngineSockets.Outbound>.Continuation, text: String) async {
        guard let frame = Frame.parse(text), let action = frame["action"] as? String else {
            reply.yield(.text(Frame.error("INVALID_FRAME", "frames are JSON objects with an \"action\"")))
            return
        }
        do {
            guard let agentId = agent.withLock({ $0 }) else {
                guard action == "auth", let token = frame["token"] as? String, let agentId = try await engine.agentId(session: token) else {
                    reply.yield(.text(Frame.error("UNAUTHORIZED", "the first frame must be {\"action\":\"auth\",\"token\"} with a valid session token")))
                    reply.yield(.close(1008, "unauthorized"))
                    return
                }
                agent.withLock { $0 = agentId }
                // Join before the snapshot, so nothing decided in between is missed (at worst it comes twice).
                sockets.join(id, topic: LocalContactEngine.agentTopic(agentId))
                let snapshot = try await engine.agentSnapshot(agentId)
                reply.yield(.text(Frame.text(["type": "authenticated", "agentId": agentId, "displayName": engine.agentDisplayName(agentId),
                                              "state": snapshot.state, "contacts": snapshot.contacts.map { $0.compactMapValues { $0 } },
                                              "offers": snapshot.offers.map { $0.compactMapValues { $0 } }])))
                return
            }
            let contactId = frame["contactId"] as? String ?? ""
            switch action {
            case "set_state":
                guard let state = frame["state"] as? String, ["Available", "Offline"].contains(state) else {
                    reply.yield(.text(Frame.error("INVALID_REQUEST", "\"state\" must be \"Available\" or \"Offline\"")))
                    return
                }
                try await engine.setAgentState(agentId, state)
                reply.yield(.text(Frame.text(["type": "state", "state": state])))
            case "accept":
                if try await !engine.accept(agentId: agentId, contactId: contactId) {
                    reply.yield(.text(Frame.text(["type": "offer_withdrawn", "contactId": contactId, "reason": "timeout"])))
                }
            case "reject":
                if try await !engine.reject(agentId: agentId, contactId: contactId) {
                    reply.yield(.text(Frame.text(["type": "offer_withdrawn", "contactId": contactId, "reason": "timeout"])))
                }
            case "end":
                if try await !engine.agentEnd(agentId: agentId, contactId: contactId) {
                    reply.yield(.text(Frame.error("NOT_FOUND", "contact \(contactId) is not one of yours")))
                }
            case "ping":
                reply.yield(.text(Frame.text(["type": "pong"])))
            case "auth":
                reply.yield(.text(Frame.error("INVALID_REQUEST", "already authenticated")))
            default:
                reply.yield(.text(Frame.error("INVALID_REQUEST", "unknown action \(action)")))
            }
        } catch {
            engine.logger.error("agent frame failed", metadata: ["action": "\(action)", "error": "\(error)"])
            reply.yield(.text(Frame.error("SERVICE_UNAVAILABLE", "could not do \(action) now; try again")))
        }
    }
}
