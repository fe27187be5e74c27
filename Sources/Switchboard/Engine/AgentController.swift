import SwitchboardCore
import ContactEngine
import Synchronization
import Foundation
import Hummingbird
import HummingbirdWebSocket

/// The agent application's API (docs/agent-api.md): login/logout and the agent socket `/agent/ws`.
struct AgentController: Sendable {
    let engine: LocalContactEngine
    let frames: HubFrameSink

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/agent/api/login", use: login)
        router.post("/agent/api/logout", use: logout)
        router.ws("/agent/ws", onUpgrade: { inbound, outbound, _ in
            let session = AgentSession(engine: engine, frames: frames)
            try await frames.hub.serve(inbound: inbound, outbound: outbound, maxFrameBytes: engine.config.security.maxFrameBytes, sink: frames,
                                    authTimeout: .seconds(engine.config.security.socketAuthTimeoutSeconds),
                                    authenticated: { session.agentId != nil }) { id, reply, text in
                await session.handle(id: id, reply: reply, text: text)
            }
        })
    }

    @Sendable func login(request: Request, context: AppRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: engine.config.security.maxBodyBytes)
        guard let body = try? Wire.decode([String: JSONValue].self, from: buffer.readableBytesView) else {
            throw SwitchboardError.invalid("body must be a JSON object")
        }
        guard let username = body["username"]?.string, let password = body["password"]?.string else {
            throw SwitchboardError.invalid("\"username\" and \"password\" are required strings")
        }
        // Password guessing: from one address, and at one username from many.
        let limits = engine.config.security.rateLimits
        try await RateLimiter(redis: engine.redis, keys: engine.keys, limit: limits.loginPerMinutePerIp)
            .check("login-ip", ip: ClientAddress(trustedProxies: engine.config.security.trustedProxies).of(request, context: context))
        try await RateLimiter(redis: engine.redis, keys: engine.keys, limit: limits.loginPerMinutePerUsername)
            .check("login-user", ip: String(username.prefix(128)))
        guard let (token, agent) = try await engine.login(username: username, password: password) else {
            throw SwitchboardError.unauthorized("unknown username or wrong password")
        }
        return try jsonResponse(["token": token, "agentId": agent.username, "displayName": agent.displayName])
    }

    @Sendable func logout(request: Request, context: AppRequestContext) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw SwitchboardError.unauthorized("Authorization: Bearer <token> is required")
        }
        try await engine.logout(session: String(header.dropFirst("Bearer ".count)))
        return Response(status: .noContent)
    }
}

/// One agent socket's state: which agent it authenticated as. Frames of one socket are handled one at a time.
final class AgentSession: Sendable {
    let engine: LocalContactEngine
    let frames: HubFrameSink
    private let agent = Mutex<String?>(nil)

    /// The agent this socket authenticated as, once it has.
    var agentId: String? { agent.withLock { $0 } }

    init(engine: LocalContactEngine, frames: HubFrameSink) {
        self.engine = engine
        self.frames = frames
    }

    func handle(id: String, reply: AsyncStream<SocketOutput>.Continuation, text: String) async {
        func send(_ frame: some Encodable) { reply.yield(.frame(Wire.encode(frame))) }
        guard let frame = try? Wire.decode(AgentAction.self, from: text) else {
            send(ErrorFrame("INVALID_FRAME", "frames are JSON objects with an \"action\""))
            return
        }
        let action = frame.action
        do {
            guard let agentId = agent.withLock({ $0 }) else {
                guard action == "auth", let token = frame.token, let agentId = try await engine.agentId(session: token) else {
                    send(ErrorFrame("UNAUTHORIZED", "the first frame must be {\"action\":\"auth\",\"token\"} with a valid session token"))
                    reply.yield(.close(1008, "unauthorized"))
                    return
                }
                agent.withLock { $0 = agentId }
                // Join before the snapshot, so nothing decided in between is missed (at worst it comes twice).
                try await frames.join(id, topic: .agent(agentId))
                let snapshot = try await engine.agentSnapshot(agentId)
                send(AuthenticatedFrame(agentId: agentId, displayName: engine.agentDisplayName(agentId), state: snapshot.state,
                                        contacts: snapshot.contacts, offers: snapshot.offers))
                return
            }
            let contactId = frame.contactId ?? ""
            switch action {
            case "set_state":
                guard let state = frame.state, ["Available", "Offline"].contains(state) else {
                    send(ErrorFrame("INVALID_REQUEST", "\"state\" must be \"Available\" or \"Offline\""))
                    return
                }
                try await engine.setAgentState(agentId, state)
                send(StateFrame(state: state))
            case "accept":
                if try await !engine.accept(agentId: agentId, contactId: contactId) {
                    send(AgentContactFrame.offerWithdrawn(contactId, reason: "timeout"))
                }
            case "reject":
                if try await !engine.reject(agentId: agentId, contactId: contactId) {
                    send(AgentContactFrame.offerWithdrawn(contactId, reason: "timeout"))
                }
            case "end":
                if try await !engine.agentEnd(agentId: agentId, contactId: contactId) {
                    send(ErrorFrame("NOT_FOUND", "contact \(contactId) is not one of yours"))
                }
            case "ping":
                send(TypeFrame("pong"))
            case "auth":
                send(ErrorFrame("INVALID_REQUEST", "already authenticated"))
            default:
                send(ErrorFrame("INVALID_REQUEST", "unknown action \(action)"))
            }
        } catch {
            engine.logger.error("agent frame failed", metadata: ["action": "\(action)", "error": "\(error)"])
            send(ErrorFrame("SERVICE_UNAVAILABLE", "could not do \(action) now; try again"))
        }
    }
}
