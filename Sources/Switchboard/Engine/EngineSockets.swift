import Synchronization

/// The WebSocket connections of this node, by topic (`contact:<id>`, `agent:<id>`, `meeting:<id>`).
///
/// Each socket's own handler is the only writer to it: others hand it frames through its `AsyncStream`, which the
/// handler drains into the socket. So pushes from the bus subscriber and replies to the client never interleave
/// mid-frame, and a slow socket only backs up its own buffer.
final class EngineSockets: Sendable {
    /// What a socket handler is asked to write.
    enum Outbound: Sendable {
        /// A text frame.
        case text(String)
        /// Close with a code (after the frames queued before it).
        case close(UInt16, String)
    }

    private struct State {
        var next = 0
        var connections: [Int: AsyncStream<Outbound>.Continuation] = [:]
        var topics: [String: Set<Int>] = [:]
        var topicsOf: [Int: Set<String>] = [:]
    }

    private let state = Mutex(State())
    /// Frames buffered per socket before the oldest are dropped (a client that stopped reading).
    let bufferLimit: Int

    init(bufferLimit: Int) { self.bufferLimit = bufferLimit }

    /// A new connection: its id, the frames to write, and the continuation for the handler's own replies.
    func register() -> (id: Int, frames: AsyncStream<Outbound>, continuation: AsyncStream<Outbound>.Continuation) {
        let (stream, continuation) = AsyncStream.makeStream(of: Outbound.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let id = state.withLock { state in
            state.next += 1
            state.connections[state.next] = continuation
            return state.next
        }
        return (id, stream, continuation)
    }

    /// Delivers frames for `topic` to connection `id` from now on.
    func join(_ id: Int, topic: String) {
        state.withLock { state in
            guard state.connections[id] != nil else { return }
            state.topics[topic, default: []].insert(id)
            state.topicsOf[id, default: []].insert(topic)
        }
    }

    /// Forgets a connection (its handler returned) and finishes its stream.
    func unregister(_ id: Int) {
        let continuation = state.withLock { state -> AsyncStream<Outbound>.Continuation? in
            for topic in state.topicsOf.removeValue(forKey: id) ?? [] {
                state.topics[topic]?.remove(id)
                if state.topics[topic]?.isEmpty == true { state.topics[topic] = nil }
            }
            return state.connections.removeValue(forKey: id)
        }
        continuation?.finish()
    }

    /// Hands `frame` to every local connection of `topic` except `except`; returns how many got it.
    @discardableResult
    func send(_ frame: Outbound, topic: String, except: Int? = nil) -> Int {
        let targets = state.withLock { state in
            (state.topics[topic] ?? []).filter { $0 != except }.compactMap { state.connections[$0] }
        }
        for continuation in targets { continuation.yield(frame) }
        return targets.count
    }

    /// Every open connection, for closing them all at shutdown.
    var count: Int { state.withLock { $0.connections.count } }

    /// Asks every socket to close with `code` (SIGTERM: 1012 so clients reconnect elsewhere).
    func closeAll(code: UInt16, reason: String) {
        let all = state.withLock { Array($0.connections.values) }
        for continuation in all { continuation.yield(.close(code, reason)) }
    }
}
