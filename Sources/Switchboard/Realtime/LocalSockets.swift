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
    /// Close the socket with this code (1012 when the node restarts).
    case close(UInt16, String)
}

/// The sockets this node holds, by connection id. Pushes published on the node's channel are handed to them here.
final class LocalSockets: Sendable {
    private struct State {
        var sockets: [String: AsyncStream<SocketOutput>.Continuation] = [:]
        var draining = false
    }

    private let state = Mutex(State())

    /// Adds a socket; false when the node is draining and takes no new sockets.
    func add(_ id: String, _ continuation: AsyncStream<SocketOutput>.Continuation) -> Bool {
        state.withLock { state in
            guard !state.draining else { return false }
            state.sockets[id] = continuation
            return true
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
                if let continuation = state.sockets[String(connId)] {
                    continuation.yield(.push(id, text))
                    delivered += 1
                }
            }
            return delivered
        }
    }

    /// Stops taking sockets and asks every socket to close with `code`; returns how many were asked.
    func drain(code: UInt16, reason: String) -> Int {
        state.withLock { state in
            state.draining = true
            for continuation in state.sockets.values { continuation.yield(.close(code, reason)) }
            return state.sockets.count
        }
    }
}
