import SwitchboardCore
import ContactEngine
import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every route: the client's address (for rate limits) and WebSocket upgrade support.
public struct AppRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Set when a route upgrades to a WebSocket.
    public let webSocket: WebSocketHandlerReference<Self>
    /// The peer's address.
    public let remoteAddress: SocketAddress?

    /// Makes a context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
    }
}
