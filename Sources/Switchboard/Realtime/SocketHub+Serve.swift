import SwitchboardCore
import Foundation
import HummingbirdWebSocket
import NIOWebSocket

extension SocketHub {
    /// Runs one engine socket (agent, participant, signaling): registers it, writes every frame from one task (its only
    /// writer), and hands each inbound text frame to `onText` with the socket's id and the continuation for replies.
    /// Binary frames get an error frame. A socket that `authenticated` does not call authenticated within `authTimeout`
    /// is closed with 1008: an open socket that never says who it is only holds resources.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, maxFrameBytes: Int, sink: HubFrameSink,
               authTimeout: Duration? = nil, authenticated: @escaping @Sendable () -> Bool = { true },
               onText: @escaping @Sendable (_ id: String, _ reply: AsyncStream<SocketOutput>.Continuation, _ text: String) async throws -> Void,
               onClose: @escaping @Sendable (_ id: String) async -> Void = { _ in }) async throws {
        let id = UUID().uuidString.lowercased()
        guard let (frames, reply) = open(id) else {
            try await outbound.close(.unknown(1012), reason: "node is restarting")
            return
        }
        func finish() async {
            await sink.leave(close(id))
            await onClose(id)
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let authTimeout {
                    group.addTask {
                        try await Task.sleep(for: authTimeout)
                        if !authenticated() { reply.yield(.close(1008, "not authenticated in time")) }
                    }
                }
                group.addTask { try await Self.write(frames, to: outbound, cursor: nil) }
                for try await message in inbound.messages(maxSize: maxFrameBytes) {
                    guard case .text(let text) = message else {
                        reply.yield(.frame(Wire.encode(ErrorFrame("INVALID_FRAME", "only text frames holding one JSON object are accepted"))))
                        continue
                    }
                    try await onText(id, reply, text)
                }
                group.cancelAll()
            }
        } catch {
            await finish()
            throw error
        }
        await finish()
    }

    /// A socket's writer: holds live pushes back until replay is done, then sends each eventId at most once, in order.
    /// Engine sockets only ever get frames and a close.
    static func write(_ stream: AsyncStream<SocketOutput>, to outbound: WebSocketOutboundWriter, cursor: SocketCursor?) async throws {
        var live = false
        var held: [(StreamID, String)] = []
        var lastSent: StreamID?
        func send(_ id: StreamID, _ text: String) async throws {
            if let lastSent, id <= lastSent { return }
            try await outbound.write(.text(text))
            lastSent = id
            cursor?.sent(id)
        }
        for await item in stream {
            switch item {
            case .frame(let text):
                try await outbound.write(.text(text))
            case .replay(let id, let text):
                try await send(id, text)
            case .live:
                live = true
                for (id, text) in held.sorted(by: { $0.0 < $1.0 }) { try await send(id, text) }
                held = []
            case .push(let id, let text):
                if live { try await send(id, text) } else { held.append((id, text)) }
            case .pause:
                live = false
            case .close(let code, let reason):
                try await outbound.close(.init(codeNumber: Int(code)), reason: reason)
                return
            }
        }
    }
}
