import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// A real WebSocket client for tests: send text frames, await the next JSON frame, see the close code.
public final class TestSocket: Sendable {
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    /// Connects and waits until the upgrade succeeded; throws if it was refused.
    public static func connect(_ url: String, origin: String? = nil, maxFrameSize: Int = 1 << 20, timeout: Duration = .seconds(5)) async throws -> TestSocket {
        let socket = TestSocket(url: url, origin: origin, maxFrameSize: maxFrameSize)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (connected, closeCode, failure) = socket.shared.state.withLock { ($0.connected, $0.closeCode, $0.failure) }
            if connected { return socket }
            if let failure { throw TestSocketError(message: "connect to \(url) failed: \(failure)") }
            if closeCode != nil { throw TestSocketError(message: "connect to \(url) closed at once") }
            try await Task.sleep(for: .milliseconds(5))
        }
        socket.close()
        throw TestSocketError(message: "connect to \(url) timed out")
    }

    private init(url: String, origin: String?, maxFrameSize: Int) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        outgoing = continuation
        let shared = Shared()
        var headers = HTTPFields()
        if let origin { headers[.origin] = origin }
        let configuration = WebSocketClientConfiguration(maxFrameSize: maxFrameSize, additionalHeaders: headers)
        task = Task {
            do {
                let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: Logger(label: "test-socket")) { inbound, outbound, _ in
                    shared.state.withLock { $0.connected = true }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await text in stream { try await outbound.write(.text(text)) }
                            try await outbound.close(.normalClosure, reason: nil)
                        }
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            if case .text(let text) = message { shared.inbox.withLock { $0.append(text) } }
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
        let inbox = Mutex<[String]>([])
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

    /// Sends a JSON object.
    public func send(json: [String: Any]) {
        send(String(decoding: try! JSONSerialization.data(withJSONObject: json), as: UTF8.self))
    }

    /// The next frame as a JSON object, in arrival order.
    public func next(timeout: Duration = .seconds(5)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = shared.inbox.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    throw TestSocketError(message: "frame is not a JSON object: \(text)")
                }
                return object
            }
            if shared.state.withLock({ $0.closeCode != nil }) { throw TestSocketError(message: "socket closed (\(closeCode ?? 0))") }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw TestSocketError(message: "no frame within \(timeout)")
    }

    /// The next frame whose `type` is `type`, skipping others.
    public func next(type: String, timeout: Duration = .seconds(5)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let frame = try await next(timeout: deadline - ContinuousClock.now)
            if frame["type"] as? String == type { return frame }
        }
    }

    /// Frames received and not yet read.
    public var pendingCount: Int { shared.inbox.withLock { $0.count } }

    /// Waits for the server to close and returns the close code (-1 without a close frame).
    public func waitForClose(timeout: Duration = .seconds(10)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let code = closeCode { return code }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestSocketError(message: "socket not closed within \(timeout)")
    }

    /// The close code once closed.
    public var closeCode: Int? { shared.state.withLock { $0.closeCode } }

    /// Closes from the client side.
    public func close() {
        outgoing.finish()
    }

    deinit { outgoing.finish() }
}

/// A failure of ``TestSocket``.
public struct TestSocketError: Error, CustomStringConvertible {
    /// What happened.
    public let message: String
    /// Makes an error.
    public init(message: String) { self.message = message }
    /// Text.
    public var description: String { message }
}
