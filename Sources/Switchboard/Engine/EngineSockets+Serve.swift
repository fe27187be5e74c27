import HummingbirdWebSocket
import NIOWebSocket

extension EngineSockets {
    /// Runs one WebSocket: registers it, writes every frame from one task (its only writer), and hands each inbound
    /// text frame to `onText` with the connection id and the continuation for replies. Binary frames get an error frame.
    /// A socket that `authenticated` does not call authenticated within `authTimeout` is closed with 1008: an open
    /// socket that never says who it is only holds resources.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, maxFrameBytes: Int,
               authTimeout: Duration? = nil, authenticated: @escaping @Sendable () -> Bool = { true },
               onText: @escaping @Sendable (_ id: Int, _ reply: AsyncStream<Outbound>.Continuation, _ text: String) async throws -> Void,
               onClose: @escaping @Sendable (_ id: Int) async -> Void = { _ in }) async throws {
        let (id, frames, reply) = register()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let authTimeout {
                    group.addTask {
                        try await Task.sleep(for: authTimeout)
                        if !authenticated() { reply.yield(.close(1008, "not authenticated in time")) }
                    }
                }
                group.addTask {
                    for await frame in frames {
                        switch frame {
                        case .text(let text):
                            try await outbound.write(.text(text))
                        case .close(let code, let reason):
                            try await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
                            return
                        }
                    }
                }
                for try await message in inbound.messages(maxSize: maxFrameBytes) {
                    guard case .text(let text) = message else {
                        reply.yield(.text(Frame.error("INVALID_FRAME", "only text frames holding one JSON object are accepted")))
                        continue
                    }
                    try await onText(id, reply, text)
                }
                group.cancelAll()
            }
        } catch {
            unregister(id)
            await onClose(id)
            throw error
        }
        unregister(id)
        await onClose(id)
    }
}
