import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HummingbirdWSClient
import Logging
import Synchronization

/// A test WebSocket client: frames received are kept in order, so a test can wait for the first one matching a
/// predicate; frames are sent through one writer task.
public final class TestWebSocket: Sendable {
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    /// Connects to `url` (ws://...); returns once the handshake is done, or throws.
    public static func connect(_ url: String, timeout: Double = 10) async throws -> TestWebSocket {
        let socket = TestWebSocket(url: url)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if socket.box.isOpen.withLock({ $0 }) { return socket }
            if socket.box.closed.withLock({ $0 }) { throw TestClientError("WebSocket \(url) did not open: \(socket.box.error.withLock { $0 } ?? "closed")") }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestClientError("WebSocket \(url) did not open within \(timeout)s")
    }

    private init(url: String) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        outgoing = continuation
        // Mutex is not copyable: the connection task and the test share state through a class.
        let box = Box()
        task = Task {
            do {
            _ = try await WebSocketClient.connect(url: url, logger: Logger(label: "test-ws")) { inbound, outbound, _ in
                box.isOpen.withLock { $0 = true }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                    }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { box.received.withLock { $0.append(text) } }
                    }
                    group.cancelAll()
                }
            }
            } catch {
                box.error.withLock { $0 = "\(error)" }
            }
            box.closed.withLock { $0 = true }
        }
        self.box = box
    }

    private let box: Box
    private final class Box: Sendable {
        let received = Mutex<[String]>([])
        let closed = Mutex<Bool>(false)
        let isOpen = Mutex<Bool>(false)
        let error = Mutex<String?>(nil)
    }

    /// Sends a JSON object as a text frame.
    public func send(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        outgoing.yield(String(decoding: data, as: UTF8.self))
    }

    /// Every frame received so far, parsed.
    public var frames: [[String: Any]] {
        box.received.withLock { $0 }.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// Whether the server closed the socket.
    public var isClosed: Bool { box.closed.withLock { $0 } }

    /// Waits for the first frame (from `after` on) matching `predicate`; returns it with its index.
    @discardableResult
    public func waitFor(after: Int = 0, timeout: Double = 10, _ what: String = "a frame",
                        _ predicate: ([String: Any]) -> Bool) async throws -> (index: Int, frame: [String: Any]) {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let all = frames
            if after < all.count, let index = all[after...].firstIndex(where: predicate) { return (index, all[index]) }
            if Date() > deadline { throw TestClientError("no \(what) within \(timeout)s; frames: \(all.suffix(10))") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits for a frame of `type`.
    @discardableResult
    public func waitFor(type: String, contactId: String? = nil, after: Int = 0, timeout: Double = 10) async throws -> [String: Any] {
        try await waitFor(after: after, timeout: timeout, "\(type) \(contactId ?? "")") {
            $0["type"] as? String == type && (contactId == nil || $0["contactId"] as? String == contactId)
        }.frame
    }

    /// Closes the socket from the client side.
    public func close() {
        outgoing.finish()
        task.cancel()
    }

    deinit { close() }
}

/// JSON over HTTP for tests.
public enum TestHTTP {
    /// POSTs `body` as JSON; returns the status and the parsed object (empty when not an object).
    public static func post(_ url: String, _ body: [String: Any], headers: [String: String] = [:]) async throws -> (status: Int, json: [String: Any]) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, json)
    }
}

/// An agent of a test: logged in over HTTP, with its agent socket open and authenticated.
public final class TestAgent: Sendable {
    /// The agent id (username).
    public let agentId: String
    /// The agent socket.
    public let socket: TestWebSocket

    private init(agentId: String, socket: TestWebSocket) {
        self.agentId = agentId
        self.socket = socket
    }

    /// Logs in on `node` (http base URL) and authenticates the socket; optionally goes Available.
    public static func login(_ baseURL: String, username: String, password: String, available: Bool = true) async throws -> TestAgent {
        let (status, json) = try await TestHTTP.post("\(baseURL)/agent/api/login", ["username": username, "password": password])
        guard status == 200, let token = json["token"] as? String else { throw TestClientError("login of \(username) failed: \(status) \(json)") }
        let socket = try await TestWebSocket.connect(baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/agent/ws")
        socket.send(["action": "auth", "token": token])
        try await socket.waitFor(type: "authenticated")
        let agent = TestAgent(agentId: username, socket: socket)
        if available {
            socket.send(["action": "set_state", "state": "Available"])
            try await socket.waitFor(type: "state")
        }
        return agent
    }
}

/// A failure of a test client, with what was seen.
public struct TestClientError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// Makes an error.
    public init(_ description: String) { self.description = description }
}
