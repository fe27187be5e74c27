import NIOCore
import NIOPosix

/// A TCP proxy in front of a real server (on a Unix socket) that hands the server's bytes to the client a few at a time, with pauses,
/// so the client sees one reply spread over many reads.
public final class DribblingProxy: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let channel: Channel

    /// Starts a proxy on a free port of 127.0.0.1 to the server on the Unix socket `targetSocket`, that forwards
    /// replies in `chunkSize`-byte pieces, `pause` apart.
    public init(targetSocket: String, chunkSize: Int = 3, pause: TimeAmount = .microseconds(200)) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { client in
                ClientBootstrap(group: client.eventLoop)
                    .connect(unixDomainSocketPath: targetSocket)
                    .flatMap { server in
                        client.eventLoop.makeCompletedFuture {
                            try client.pipeline.syncOperations.addHandler(Forwarder(partner: server, chunkSize: nil, pause: pause))
                            try server.pipeline.syncOperations.addHandler(Forwarder(partner: client, chunkSize: chunkSize, pause: pause))
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
    }

    /// Stops accepting.
    public func close() async {
        try? await channel.close()
    }

    private final class Forwarder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let partner: Channel
        let chunkSize: Int?
        let pause: TimeAmount
        var nextSend = NIODeadline.now()

        init(partner: Channel, chunkSize: Int?, pause: TimeAmount) {
            self.partner = partner
            self.chunkSize = chunkSize
            self.pause = pause
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            guard let chunkSize else {
                partner.writeAndFlush(buffer, promise: nil)
                return
            }
            let partner = partner
            while buffer.readableBytes > 0 {
                let chunk = buffer.readSlice(length: min(chunkSize, buffer.readableBytes))!
                nextSend = max(nextSend, .now()) + pause
                context.eventLoop.scheduleTask(deadline: nextSend) { partner.writeAndFlush(chunk, promise: nil) }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner.close(promise: nil)
        }
    }
}
