import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// A real WebSocket client for tests. Every text frame received is kept in order: `next` reads them one after the
/// other, `frames` and `waitFor` search them all. Frames are sent through one writer task; the close code is kept.
public final class TestSocket: Sendable {
    private let outgoing: AsyncStream<String>.Continuation

    /// Connects and waits until the upgrade succeeded; throws if it was refused.
    public static func connect(_ url: String, origin: String? = nil, maxFrameSize: Int = 1 << 20, timeout: Duration = .seconds(10)) async throws -> TestSocket {
        let socket = TestSocket(url: url, origin: origin, maxFrameSize: maxFrameSize)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (connected, closeCode, failure) = socket.shared.state.withLock { ($0.connected, $0.closeCode, $0.failure) }
            if connected { return socket }
            if let failure { throw TestClientError("connect to \(url) failed: \(failure)") }
            if closeCode != nil { throw TestClientError("connect to \(url) closed at once") }
            try await Task.sleep(for: .milliseconds(5))
        }
        socket.close()
        throw TestClientError("connect to \(url) timed out")
    }

    private init(url: String, origin: String?, maxFrameSize: Int) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        outgoing = continuation
        let shared = Shared()
        var headers = HTTPFields()
        if let origin { headers[.origin] = origin }
        let configuration = WebSocketClientConfiguration(maxFrameSize: maxFrameSize, additionalHeaders: headers)
        Task {
            do {
                let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: Logger(label: "test-socket")) { inbound, outbound, _ in
                    shared.state.withLock { $0.connected = true }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await text in stream { try await outbound.write(.text(text)) }
                            try await outbound.close(.normalClosure, reason: nil)
                        }
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            if case .text(let text) = message { shared.received.withLock { $0.append(text) } }
                        }
                        group.cancelAll()
                    }
                }
                shared.state.withLock { $0.closeCode = close.map { TestSocket.number($0.closeCode) } ?? -1 }
            } catch {
                shared.state.withLock {
                    $0.failure = "\(error)"
                    $0.closeCode = $0.closeCode ?? -1
                }
            }
        }
        self.shared = shared
    }

    /// State shared with the client task.
    private final class Shared: Sendable {
        let received = Mutex<[String]>([])
        /// Index of the first frame `next` has not returned yet.
        let cursor = Mutex<Int>(0)
        let state = Mutex<(connected: Bool, closeCode: Int?, failure: String?)>((false, nil, nil))
    }

    private let shared: Shared

    static func number(_ code: WebSocketErrorCode) -> Int {
        var buffer = ByteBuffer()
        buffer.write(webSocketErrorCode: code)
        return Int(buffer.readInteger(as: UInt16.self) ?? 0)
    }

    /// Sends one text frame.
    public func send(_ text: String) { outgoing.yield(text) }

    /// Sends a JSON object as a text frame.
    public func send(_ object: [String: Any]) {
        send(String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }

    /// Every frame received so far, parsed (a frame that is not a JSON object as `["text": frame]`).
    public var frames: [[String: Any]] { frames(from: 0) }

    private func frames(from start: Int) -> [[String: Any]] {
        shared.received.withLock { Array($0[min(start, $0.count)...]) }.map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? ["text": $0]
        }
    }

    /// Waits for the first frame from index `after` on matching `predicate`; returns it with its index.
    /// Throws after `timeout`, or once the socket is closed with no such frame.
    @discardableResult
    public func waitFor(after: Int = 0, timeout: Duration = .seconds(10), _ what: String = "a frame",
                        _ predicate: ([String: Any]) -> Bool) async throws -> (index: Int, frame: [String: Any]) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let closed = closeCode
            let candidates = frames(from: after)
            if let offset = candidates.firstIndex(where: predicate) { return (after + offset, candidates[offset]) }
            if let closed { throw TestClientError("no \(what): socket closed (\(closed)); frames: \(candidates.suffix(10))") }
            if ContinuousClock.now > deadline { throw TestClientError("no \(what) within \(timeout); frames: \(candidates.suffix(10))") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits until `condition` holds for every frame received so far; throws after `timeout` or once the socket is closed.
    public func waitUntil(timeout: Duration = .seconds(10), _ what: String, _ condition: ([[String: Any]]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let closed = closeCode
            let received = frames
            if condition(received) { return }
            if let closed { throw TestClientError("not \(what): socket closed (\(closed)); frames: \(received.suffix(10))") }
            if ContinuousClock.now > deadline { throw TestClientError("not \(what) within \(timeout); frames: \(received.suffix(10))") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits for a frame of `type` (about `contactId`, when given) from index `after` on.
    @discardableResult
    public func waitFor(type: String, contactId: String? = nil, after: Int = 0, timeout: Duration = .seconds(10)) async throws -> [String: Any] {
        try await waitFor(after: after, timeout: timeout, "\(type) \(contactId ?? "")") {
            $0["type"] as? String == type && (contactId == nil || $0["contactId"] as? String == contactId)
        }.frame
    }

    /// The next frame not yet returned by `next` (of `type`, when given, skipping others).
    public func next(type: String? = nil, timeout: Duration = .seconds(5)) async throws -> [String: Any] {
        let (index, frame) = try await waitFor(after: shared.cursor.withLock { $0 }, timeout: timeout, type ?? "frame") {
            type == nil || $0["type"] as? String == type
        }
        shared.cursor.withLock { $0 = index + 1 }
        return frame
    }

    /// Waits for the server to close and returns the close code (-1 without a close frame).
    public func waitForClose(timeout: Duration = .seconds(10)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let code = closeCode { return code }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestClientError("socket not closed within \(timeout)")
    }

    /// The close code once closed.
    public var closeCode: Int? { shared.state.withLock { $0.closeCode } }

    /// Closes from the client side.
    public func close() { outgoing.finish() }

    deinit { outgoing.finish() }
}

/// An agent of a test: logged in over HTTP, with its agent socket open and authenticated.
public final class TestAgent: Sendable {
    /// The agent id (username).
    public let agentId: String
    /// The agent socket.
    public let socket: TestSocket

    private init(agentId: String, socket: TestSocket) {
        self.agentId = agentId
        self.socket = socket
    }

    /// Logs in on `node` and authenticates the socket; optionally goes Available.
    public static func login(_ node: TestNode, username: String, password: String, available: Bool = true) async throws -> TestAgent {
        let (status, json) = try await HTTP.request("POST", node.url + "/agent/api/login", json: ["username": username, "password": password])
        guard status == 200, let token = json?["token"] as? String else { throw TestClientError("login of \(username) failed: \(status) \(json ?? [:])") }
        let socket = try await TestSocket.connect(node.wsURL + "/agent/ws")
        socket.send(["action": "auth", "token": token])
        try await socket.waitFor(type: "authenticated")
        if available {
            socket.send(["action": "set_state", "state": "Available"])
            try await socket.waitFor(type: "state")
        }
        return TestAgent(agentId: username, socket: socket)
    }
}

/// A failure of a test client or node, with what was seen.
public struct TestClientError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// Makes an error.
    public init(_ description: String) { self.description = description }
}
