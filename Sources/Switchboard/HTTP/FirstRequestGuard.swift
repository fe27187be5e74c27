import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 + WebSocket upgrade channel, with a request that does not parse answered even when it is the
/// connection's first. Hummingbird answers a malformed request with 400 and closes the connection, but only once the
/// WebSocket upgrade negotiation has seen a first request head; a first request that never parses (a NUL or control
/// byte in a header, a request line that is not HTTP) left the negotiation waiting, the connection open and unanswered,
/// for good. Here that error is answered 400 and the connection closed; after the first request, Hummingbird's own
/// handling takes over unchanged.
struct FirstRequestGuardChannel: ServerChildChannel {
    let inner: HTTP1WebSocketUpgradeChannel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // After the upgrade handler, so the HTTP decoder's errors reach it; it writes through the HTTP encoder.
            try channel.pipeline.syncOperations.addHandler(FirstRequestParseErrorHandler())
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// `.http1WebSocketUpgrade(webSocketRouter:configuration:)` with ``FirstRequestGuardChannel``.
    static func guardedHTTP1WebSocketUpgrade<WSResponderBuilder: HTTPResponderBuilder & _HB_SendableMetatype>(
        webSocketRouter: WSResponderBuilder, configuration: HTTP1WebSocketUpgradeChannel.Configuration
    ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return .init { responder in
            FirstRequestGuardChannel(inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder,
                                                                         configuration: configuration))
        }
    }
}

/// Answers an `HTTPParserError` raised before any request got through the upgrade negotiation with 400 and closes the
/// connection; removes itself as soon as anything (a request, or WebSocket frames) gets through.
final class FirstRequestParseErrorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Never
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let head = HTTPResponseHead(version: .http1_1, status: .badRequest, headers: ["Connection": "close", "Content-Length": "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
