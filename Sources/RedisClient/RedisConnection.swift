import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One TCP connection to Redis that (re)connects on demand, backing off while Redis is unreachable.
///
/// Many commands may be in flight at once; their replies come back in order. Commands issued while the
/// connection is down fail at once with `.unavailable` instead of queueing, so nothing hangs while Redis restarts.
public final class RedisConnection: Sendable {
    private enum State {
        case disconnected(retryAt: NIODeadline, backoff: TimeAmount)
        case connecting(EventLoopFuture<Link>, backoff: TimeAmount)
        case connected(Link)
        case closed
    }

    /// A live channel and its handler, which only its event loop may touch.
    struct Link: Sendable {
        let channel: Channel
        let handler: NIOLoopBound<RedisChannelHandler>

        /// Hands `request` to the handler, hopping to the loop only when the caller is not on it already.
        func submit(_ request: RedisRequest) {
            if channel.eventLoop.inEventLoop {
                handler.value.submit(request)
            } else {
                let handler = handler
                channel.eventLoop.execute { handler.value.submit(request) }
            }
        }
    }

    private let state: Mutex<State>
    /// Uptime nanoseconds until which a failed connect backs off, or 0: read without the lock on every pick.
    private let retryAt = Atomic<UInt64>(0)
    private let configuration: RedisConfiguration
    /// Where each new connect goes, when that may change between connects (a cluster subscription moves to another
    /// node when its node is gone); `nil`: always `configuration`.
    private let target: (@Sendable () -> RedisConfiguration)?
    let eventLoop: EventLoop
    private let onPush: (@Sendable (RedisReply) -> Void)?

    init(configuration: RedisConfiguration, eventLoop: EventLoop, target: (@Sendable () -> RedisConfiguration)? = nil,
         onPush: (@Sendable (RedisReply) -> Void)? = nil) {
        self.configuration = configuration
        self.target = target
        self.eventLoop = eventLoop
        self.onPush = onPush
        self.state = Mutex(.disconnected(retryAt: .uptimeNanoseconds(0), backoff: configuration.reconnectBackoffMin))
    }

    /// Whether a connect failed and the next try is still to come: commands sent now would fail at once.
    var isBackingOff: Bool {
        let until = retryAt.load(ordering: .relaxed)
        return until != 0 && NIODeadline.now().uptimeNanoseconds < until
    }

    /// Whether a TCP connection is currently up.
    public var isConnected: Bool {
        state.withLock { if case .connected(let link) = $0 { return link.channel.isActive } else { return false } }
    }

    /// Sends one command and returns its reply; an error reply is thrown as a `.server` ``RedisError``.
    public func send(_ command: RedisCommand, timeout: TimeAmount? = nil) async throws -> RedisReply {
        let timeout = timeout ?? configuration.commandTimeout
        let reply = try await retryingUnsent {
            let link = try await link()
            return try await withUnsafeThrowingContinuation { continuation in
                link.submit(RedisRequest(commands: [command], completion: .single(continuation), timeout: timeout))
            }
        }
        if case .error(let message) = reply { throw RedisError(.server, message) }
        return reply
    }

    /// Writes all commands at once and returns every reply in order; error replies stay in the array as `.error`.
    public func pipeline(_ commands: [RedisCommand], timeout: TimeAmount? = nil) async throws -> [RedisReply] {
        if commands.isEmpty { return [] }
        let timeout = timeout ?? configuration.commandTimeout
        return try await retryingUnsent {
            let link = try await link()
            return try await withUnsafeThrowingContinuation { continuation in
                link.submit(RedisRequest(commands: commands, completion: .batch(continuation), timeout: timeout))
            }
        }
    }

    /// A command that met a connection already failing was never written; it goes once more on a fresh connection.
    private func retryingUnsent<T>(_ attempt: () async throws -> T) async throws -> T {
        do {
            return try await attempt()
        } catch let error as RedisError where error.notSent {
            return try await attempt()
        }
    }

    /// Writes commands whose replies arrive as pushes (SUBSCRIBE and friends on a subscriber connection).
    func sendWithoutReply(_ commands: [RedisCommand]) async throws -> Channel {
        let link = try await link()
        link.submit(RedisRequest(commands: commands, completion: .none, timeout: configuration.commandTimeout))
        return link.channel
    }

    /// Closes the connection for good; later commands fail with `.shutdown`.
    public func close() async {
        try? await closeChannel()?.get()
    }

    /// Closes for good without waiting; returns the close's future when a connection was open.
    @discardableResult
    func closeChannel() -> EventLoopFuture<Void>? {
        let channel: Channel? = state.withLock { state in
            defer { state = .closed }
            if case .connected(let link) = state { return link.channel }
            return nil
        }
        return channel?.close()
    }

    /// Closes the current TCP connection but allows a later reconnect (tests use this to simulate a dropped link).
    public func dropConnection() async {
        let channel: Channel? = state.withLock { if case .connected(let link) = $0 { return link.channel } else { return nil } }
        try? await channel?.close()
    }

    /// The live channel and handler, connecting first if needed.
    private func link() async throws -> Link {
        enum Step { case ready(Link), wait(EventLoopFuture<Link>), fail(RedisError) }
        let step: Step = state.withLock { state in
            switch state {
            case .connected(let link) where link.channel.isActive:
                return .ready(link)
            case .connected:
                let future = connect()
                state = .connecting(future, backoff: configuration.reconnectBackoffMin)
                return .wait(future)
            case .connecting(let future, _):
                return .wait(future)
            case .disconnected(let retryAt, let backoff):
                guard NIODeadline.now() >= retryAt else {
                    return .fail(RedisError(.unavailable, "Redis at \(configuration.address) is unreachable; retrying"))
                }
                let future = connect()
                state = .connecting(future, backoff: backoff)
                return .wait(future)
            case .closed:
                return .fail(RedisError(.shutdown, "the Redis client is shut down"))
            }
        }
        switch step {
        case .ready(let link): return link
        case .fail(let error): throw error
        case .wait(let future):
            do {
                return try await future.get()
            } catch let error as RedisError {
                throw error
            } catch {
                throw RedisError(.unavailable, "cannot connect to Redis at \(configuration.address): \(error)")
            }
        }
    }

    /// Starts a TCP connect; the state follows the outcome. Called with the state lock held.
    private func connect() -> EventLoopFuture<Link> {
        let configuration = target?() ?? configuration
        let onPush = onPush
        let checkInterval = min(configuration.commandTimeout, .milliseconds(100))
        // Started on the next tick: a Unix socket connects at once, and started inline on this loop it would complete
        // (and take the state lock) while our caller still holds it.
        let connected = eventLoop.makePromise(of: Channel.self)
        eventLoop.execute { [eventLoop] in
            let bootstrap = ClientBootstrap(group: eventLoop)
                .connectTimeout(configuration.connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls = configuration.tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(checkInterval: checkInterval, onPush: onPush))
                    }
                }
            let channel = if let path = configuration.unixSocketPath {
                bootstrap.connect(unixDomainSocketPath: path)
            } else {
                bootstrap.channelOption(.socketOption(.tcp_nodelay), value: 1).channelOption(.socketOption(.so_keepalive), value: 1)
                .connect(host: configuration.host, port: configuration.port)
            }
            channel.cascade(to: connected)
        }
        let future = connected.futureResult
            .flatMapThrowing { channel -> Link in
                let handler = try channel.pipeline.syncOperations.handler(type: RedisChannelHandler.self)
                return Link(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
            }
            .flatMap { link -> EventLoopFuture<Link> in
                // Each new connection authenticates (ACL user, or the default user's password), then selects its database.
                var setup: [RedisCommand] = []
                if let password = configuration.password {
                    setup.append(configuration.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
                }
                if configuration.database != 0 { setup.append(RedisCommand("SELECT", String(configuration.database))) }
                return setup.reduce(link.channel.eventLoop.makeSucceededFuture(link)) { ready, command in
                    ready.flatMap { link in
                        let promise = link.channel.eventLoop.makePromise(of: RedisReply.self)
                        link.submit(RedisRequest(commands: [command], completion: .promise(promise), timeout: configuration.commandTimeout))
                        return promise.futureResult.flatMapThrowing { reply in
                            if case .error(let message) = reply {
                                link.channel.close(promise: nil)
                                throw RedisError(.server, message)
                            }
                            return link
                        }
                    }
                }
            }
        future.whenComplete { [self] result in
            switch result {
            case .success(let link):
                let channel = link.channel
                let keep = state.withLock { state -> Bool in
                    guard case .connecting = state else { return false }
                    state = .connected(link)
                    return true
                }
                retryAt.store(0, ordering: .relaxed)
                if !keep { channel.close(promise: nil) }
                channel.closeFuture.whenComplete { [self] _ in
                    state.withLock { state in
                        if case .connected(let current) = state, current.channel === channel {
                            state = .disconnected(retryAt: .now(), backoff: configuration.reconnectBackoffMin)
                        }
                    }
                }
            case .failure:
                state.withLock { state in
                    guard case .connecting(_, let backoff) = state else { return }
                    let next = min(backoff * 2, configuration.reconnectBackoffMax)
                    let deadline = NIODeadline.now() + backoff
                    state = .disconnected(retryAt: deadline, backoff: next)
                    retryAt.store(deadline.uptimeNanoseconds, ordering: .relaxed)
                }
            }
        }
        return future
    }
}
