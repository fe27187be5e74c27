import SwitchboardCore
import ContactEngine
import Foundation
import HummingbirdWebSocket
import Logging
import NIOWebSocket

/// One customer socket on `/ws` (SPEC §4). A reader loop handles frames; a writer task is the only writer to the socket
/// and merges replies, replayed pushes and live pushes in eventId order.
struct CustomerSocket {
    let hub: RealtimeHub
    let maxFrameBytes: Int
    /// Checks the `userToken` of a registration; nil when `security.requireUserToken` is off.
    let tokens: UserTokens?
    let logger: Logger

    /// Minimum time between TTL refreshes of the socket's Redis record.
    var touchInterval: Duration { .seconds(min(60, max(1, hub.config.connectionTtlSeconds / 4))) }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let connection = UUID().uuidString.lowercased()
        let cursor = SocketCursor()
        guard let (stream, continuation) = hub.sockets.open(connection, cursor: cursor) else {
            try await outbound.close(.unknown(1012), reason: "node is restarting")
            return
        }
        var state = ReaderState(cursor: cursor)
        defer { hub.sockets.close(connection) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await SocketHub.write(stream, to: outbound, cursor: cursor) }
                defer { continuation.finish() }
                for try await message in inbound.messages(maxSize: maxFrameBytes) {
                    guard case .text(let text) = message else {
                        continuation.yield(.frame(Self.error("INVALID_FRAME", "frames must be JSON text")))
                        continue
                    }
                    await handle(text, connection: connection, state: &state, continuation: continuation)
                }
                continuation.finish()
                try await group.next()
                group.cancelAll()
            }
        } catch {
            logger.debug("customer socket ended", metadata: ["error": "\(error)"])
        }
        if let userId = state.userId {
            do {
                try await hub.unregister(connection: connection, userId: userId)
            } catch {
                logger.warning("could not remove socket record; it expires by TTL", metadata: ["error": "\(error)"])
            }
        }
    }

    struct ReaderState {
        let cursor: SocketCursor
        var userId: String?
        var lastTouch = ContinuousClock.now
    }

    private func handle(_ text: String, connection: String, state: inout ReaderState,
                        continuation: AsyncStream<SocketOutput>.Continuation) async {
        guard let frame = try? Wire.decode(CustomerAction.self, from: text) else {
            continuation.yield(.frame(Self.error("INVALID_FRAME", "frame is not a JSON object")))
            return
        }
        do {
            switch frame.action {
            case "register":
                try await register(frame, connection: connection, state: &state, continuation: continuation)
            case "ping":
                continuation.yield(.frame(Wire.encode(TypeFrame("pong"))))
                if let userId = state.userId, ContinuousClock.now - state.lastTouch > touchInterval {
                    state.lastTouch = .now
                    try await hub.touch(connection: connection, userId: userId)
                }
            case let action?:
                continuation.yield(.frame(Self.error("UNKNOWN_ACTION", "unknown action \"\(action)\"; use register or ping")))
            case nil:
                continuation.yield(.frame(Self.error("INVALID_FRAME", "\"action\" is required")))
            }
        } catch let error as SwitchboardError {
            continuation.yield(.frame(Self.error(error.code, error.message)))
        } catch {
            logger.warning("socket action failed", metadata: ["error": "\(error)"])
            continuation.yield(.frame(Self.error("SERVICE_UNAVAILABLE", "Service temporarily unavailable. Please try again.")))
        }
    }

    private func register(_ frame: CustomerAction, connection: String, state: inout ReaderState,
                          continuation: AsyncStream<SocketOutput>.Continuation) async throws {
        guard let userId = frame.userId, StartBody.isValidUserId(userId) else {
            throw SwitchboardError.invalid("\"userId\" must look like user_<uuid>")
        }
        if let tokens {
            // A userId alone is not enough to receive someone's pushes: the token a start call gave that user is.
            guard let token = frame.userToken, tokens.isValid(token, for: userId) else {
                throw SwitchboardError.unauthorized("\"userToken\" is missing or not this user's; use the one the start call returned")
            }
        }
        var after: StreamID?
        if let last = frame.lastEventId {
            guard let id = last.string.flatMap(StreamID.init) else {
                throw SwitchboardError.invalid("\"lastEventId\" must be an eventId from an earlier push")
            }
            after = id
        }
        if let previous = state.userId, previous != userId {
            try await hub.unregister(connection: connection, userId: previous)
        }
        let position = try await hub.register(connection: connection, userId: userId)
        state.cursor.registered(userId, position: StreamID(position))
        state.userId = userId
        state.lastTouch = .now
        continuation.yield(.frame(Wire.encode(RegisteredFrame(connectionId: connection, userId: userId, node: hub.nodeId, lastEventId: position))))
        if let after {
            for (id, text) in try await hub.replay(userId: userId, after: after) { continuation.yield(.replay(id, text)) }
        }
        continuation.yield(.live)
    }

    /// Whether `client` may open one more socket (`security.rateLimits.wsRegisterPerMinutePerIp`); if not, it is told
    /// with an error frame and close code 1013. Counted after the upgrade: a browser cannot read the status of a
    /// refused upgrade, but it reads this frame and code. A function of its own rather than inline in the route,
    /// whose task frame lives as long as the socket: the refusal's locals there cost every idle socket about 1 KB.
    @inline(never)
    static func admit(_ client: String, limiter: RateLimiter, outbound: WebSocketOutboundWriter) async throws -> Bool {
        do {
            try await limiter.check("ws-register", ip: client)
            return true
        } catch let error as SwitchboardError {
            try await outbound.write(.text(Wire.encode(ErrorFrame(error))))
            try await outbound.close(.unknown(1013), reason: "try again later")
            return false
        }
    }

    static func error(_ code: String, _ message: String) -> String { Wire.encode(ErrorFrame(code, message)) }
}
