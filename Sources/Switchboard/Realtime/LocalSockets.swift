import Synchronization

/// What a customer socket's writer task sends, in order. The writer is the socket's only writer.
enum SocketOutput: Sendable {
    /// A reply frame (registered, pong, error).
    case frame(String)
    /// A push that was missed and is replayed after `register` with `lastEventId`.
    case replay(StreamID, String)
    /// Replay is done: pushes held back meanwhile go out now, minus those already replayed.
    case live
    /// A live push.
    case push(StreamID, String)
    /// Hold live pushes back: a catch-up replay follows, then `live`.
    case pause
    /// Close the socket with this code (1012 when the node restarts).
    case close(UInt16, String)
}

/// Where a socket stands: its user once registered, and the id of the latest push it was sent (its user's replay
/// position at registration until then). What a catch-up replays from.
final class SocketCursor: Sendable {
    private let state = Mutex<(userId: String?, position: StreamID?)>((nil, nil))

    /// The socket registered as `userId`, the user's pushes up to `position` being made before.
    func registered(_ userId: String, position: StreamID?) {
        state.withLock { $0 = (userId, position) }
    }

    /// The writer sent the push `id`.
    func sent(_ id: StreamID) {
        state.withLock { if $0.position.map({ id > $0 }) ?? true { $0.position = id } }
    }

    var current: (userId: String?, position: StreamID?) { state.withLock { $0 } }
}

/// The sockets this node holds, by connection id. Pushes published on the node's channel are handed to them here.
final class LocalSockets: Sendable {
    private struct State {
        var sockets: [String: (continuation: AsyncStream<SocketOutput>.Continuation, cursor: SocketCursor)] = [:]
        var draining = false
    }

    private let state = Mutex(State())

    /// Adds a socket; false when the node is draining and takes no new sockets.
    func add(_ id: String, _ continuation: AsyncStream<SocketOutput>.Continuation, cursor: SocketCursor) -> Bool {
        state.withLock { state in
            guard !state.draining else { return false }
            state.sockets[id] = (continuation, cursor)
            return true
        }
    }

    /// The registered sockets with their user and replay position, for a catch-up.
    func cursors() -> [(connection: String, userId: String, position: StreamID)] {
        state.withLock { state in
            state.sockets.compactMap { id, socket in
                let current = socket.cursor.current
                guard let userId = current.userId else { return nil }
                return (id, userId, current.position ?? StreamID("0-0")!)
            }
        }
    }

    /// Holds every socket's live pushes back until ``catchUp(_:with:)``: called the moment the subscription is back,
    /// before any push it brings, so that no newer push goes out before an older one that was missed.
    func pauseAll() {
        state.withLock { state in
            for socket in state.sockets.values { socket.continuation.yield(.pause) }
        }
    }

    /// Sends a socket the pushes it missed, in order, then the ones held back (the writer drops duplicates).
    func catchUp(_ id: String, with frames: [(StreamID, String)]) {
        state.withLock { state in
            guard let continuation = state.sockets[id]?.continuation else { return }
            for (eventId, text) in frames { continuation.yield(.replay(eventId, text)) }
            continuation.yield(.live)
        }
    }

    func remove(_ id: String) {
        _ = state.withLock { $0.sockets.removeValue(forKey: id) }
    }

    var count: Int { state.withLock { $0.sockets.count } }

    var isDraining: Bool { state.withLock { $0.draining } }

    /// Delivers one message from the node channel: `"<eventId>\n<connId>,<connId>\n<json>"` (lua/realtime_push.lua).
    /// Returns how many local sockets got it.
    @discardableResult
    func deliver(_ message: String) -> Int {
        let parts = message.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let id = StreamID(parts[0]) else { return 0 }
        let text = String(parts[2])
        let ids = parts[1].split(separator: ",")
        return state.withLock { state in
            var delivered = 0
            for connId in ids {
                if let continuation = state.sockets[String(connId)]?.continuation {
                    continuation.yield(.push(id, text))
                    delivered += 1
                }
            }
            return delivered
        }
    }

    /// Stops taking sockets (`/health` then answers 503 `draining`).
    func stopAccepting() {
        state.withLock { $0.draining = true }
    }

    /// Stops taking sockets and asks every socket to close with `code`; returns how many were asked.
    func drain(code: UInt16, reason: String) -> Int {
        state.withLock { state in
            state.draining = true
            for socket in state.sockets.values { socket.continuation.yield(.close(code, reason)) }
            return state.sockets.count
        }
    }
}
