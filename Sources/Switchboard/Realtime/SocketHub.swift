import SwitchboardCore
import Synchronization

/// What a socket's writer task sends, in order. The writer is the socket's only writer.
enum SocketOutput: Sendable {
    /// A reply or engine frame.
    case frame(String)
    /// A customer push that was missed and is replayed after `register` with `lastEventId`.
    case replay(StreamID, String)
    /// Replay is done: pushes held back meanwhile go out now, minus those already replayed.
    case live
    /// A live customer push.
    case push(StreamID, String)
    /// Hold live pushes back: a catch-up replay follows, then `live`.
    case pause
    /// Close the socket with this code (1012 when the node restarts).
    case close(UInt16, String)
}

/// Where a customer socket stands: its user once registered, and the id of the latest push it was sent (its user's
/// replay position at registration until then). What a catch-up replays from.
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

/// Every WebSocket this node holds — customer, agent, participant and signaling — in one registry, each with one
/// writer fed through its stream. Messages from the node's channel (``NodeSubscriber``) reach sockets here: customer
/// pushes by connection id, engine frames by topic.
final class SocketHub: Sendable {
    private struct Socket {
        var continuation: AsyncStream<SocketOutput>.Continuation
        /// Customer sockets only.
        var cursor: SocketCursor?
        var topics: Set<SocketTopic> = []
    }

    private struct State {
        var sockets: [String: Socket] = [:]
        var topics: [SocketTopic: Set<String>] = [:]
        var draining = false
    }

    private let state = Mutex(State())
    /// Frames queued per socket before the oldest are dropped (a client that stopped reading).
    let bufferLimit: Int

    init(bufferLimit: Int) { self.bufferLimit = bufferLimit }

    /// A new socket: its writer's stream and the continuation that feeds it; nil when the node is draining.
    func open(_ id: String, cursor: SocketCursor? = nil) -> (AsyncStream<SocketOutput>, AsyncStream<SocketOutput>.Continuation)? {
        let (stream, continuation) = AsyncStream.makeStream(of: SocketOutput.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let added = state.withLock { state in
            guard !state.draining else { return false }
            state.sockets[id] = Socket(continuation: continuation, cursor: cursor)
            return true
        }
        return added ? (stream, continuation) : nil
    }

    /// Forgets a socket and finishes its stream; returns the topics it had joined.
    @discardableResult
    func close(_ id: String) -> Set<SocketTopic> {
        let socket = state.withLock { state -> Socket? in
            guard let socket = state.sockets.removeValue(forKey: id) else { return nil }
            for topic in socket.topics {
                state.topics[topic]?.remove(id)
                if state.topics[topic]?.isEmpty == true { state.topics[topic] = nil }
            }
            return socket
        }
        socket?.continuation.finish()
        return socket?.topics ?? []
    }

    /// Hands frames for `topic` to socket `id` from now on; false when it already had them.
    @discardableResult
    func join(_ id: String, topic: SocketTopic) -> Bool {
        state.withLock { state in
            guard state.sockets[id]?.topics.insert(topic).inserted == true else { return false }
            state.topics[topic, default: []].insert(id)
            return true
        }
    }

    /// Hands `output` to every local socket of `topic` but `except`; returns how many got it.
    @discardableResult
    func send(_ output: SocketOutput, topic: SocketTopic, except: String? = nil) -> Int {
        let targets = state.withLock { state in
            (state.topics[topic] ?? []).filter { $0 != except }.compactMap { state.sockets[$0]?.continuation }
        }
        for continuation in targets { continuation.yield(output) }
        return targets.count
    }

    /// Delivers one customer push from the node channel, `"<eventId>\n<connId>,<connId>\n<json>"`
    /// (lua/realtime_push.lua); returns how many local sockets got it.
    @discardableResult
    func deliverPush(_ message: String) -> Int {
        // Split on bytes: a Character-wise split of every push's message cost a few per cent of a node's CPU.
        let bytes = message.utf8
        guard let first = bytes.firstIndex(of: UInt8(ascii: "\n")),
              let second = bytes[bytes.index(after: first)...].firstIndex(of: UInt8(ascii: "\n")),
              let id = StreamID(message[..<first]) else { return 0 }
        let connections = message[message.index(after: first)..<second].utf8.split(separator: UInt8(ascii: ","))
        let text = String(message[message.index(after: second)...])
        return state.withLock { state in
            var delivered = 0
            for connection in connections {
                if let continuation = state.sockets[String(Substring(connection))]?.continuation {
                    continuation.yield(.push(id, text))
                    delivered += 1
                }
            }
            return delivered
        }
    }

    /// The registered customer sockets with their user and replay position, for a catch-up.
    func cursors() -> [(connection: String, userId: String, position: StreamID)] {
        state.withLock { state in
            state.sockets.compactMap { id, socket in
                guard let current = socket.cursor?.current, let userId = current.userId else { return nil }
                return (id, userId, current.position ?? StreamID("0-0")!)
            }
        }
    }

    /// Holds every customer socket's live pushes back until ``catchUp(_:with:)``: called the moment the subscription is
    /// back, before any push it brings, so that no newer push goes out before an older one that was missed.
    func pauseAll() {
        state.withLock { state in
            for socket in state.sockets.values where socket.cursor != nil { socket.continuation.yield(.pause) }
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

    /// Asks one socket to close with `code` (a socket that could not be caught up resumes by reconnecting).
    func close(_ id: String, code: UInt16, reason: String) {
        state.withLock { state in state.sockets[id]?.continuation.yield(.close(code, reason)) }
    }

    var count: Int { state.withLock { $0.sockets.count } }

    var isDraining: Bool { state.withLock { $0.draining } }

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
