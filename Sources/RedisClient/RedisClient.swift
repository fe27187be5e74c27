import Logging
import Metrics
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A Redis client: a fixed pool of multiplexed connections, dedicated connections for blocking commands,
/// subscriptions, and scripts by SHA. Commands are encoded and replies parsed by hiredis; SwiftNIO does the I/O.
///
/// As a `Service` it closes its connections on graceful shutdown.
public final class RedisClient: Sendable, Service {
    /// The settings this client was made with.
    public let configuration: RedisConfiguration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    private let pool: [RedisConnection]
    /// The pool grouped by event loop, so a caller already on a loop gets a connection of that loop.
    private let loops: [(executor: EventLoopTaskExecutor, connections: [RedisConnection])]
    private let nextConnection = Atomic<Int>(0)
    private let nextLoop = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    private let metrics: RedisMetrics
    /// Cluster mode's per-master clients; `nil` for a standalone Redis.
    let cluster: RedisClusterRouter?

    /// Makes a client; nothing connects until the first command.
    public init(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "redis")) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.metrics = RedisMetrics()
        cluster = configuration.cluster ? RedisClusterRouter(seed: configuration, eventLoopGroup: eventLoopGroup, logger: logger) : nil
        let pool = (0..<max(1, configuration.poolSize)).map { _ in
            RedisConnection(configuration: configuration, eventLoop: eventLoopGroup.next())
        }
        var loops: [(executor: EventLoopTaskExecutor, connections: [RedisConnection])] = []
        for connection in pool {
            if let index = loops.firstIndex(where: { $0.executor.eventLoop === connection.eventLoop }) {
                loops[index].connections.append(connection)
            } else {
                loops.append((EventLoopTaskExecutor(eventLoop: connection.eventLoop), [connection]))
            }
        }
        self.pool = pool
        self.loops = loops
    }

    /// An executor on one of the pool's event loops (round robin). A task that mostly talks to Redis runs with
    /// `withTaskExecutorPreference(client.taskExecutor())`: its commands then go out and their replies resume it
    /// on that loop's thread, without a thread hop per round trip.
    public func taskExecutor() -> EventLoopTaskExecutor {
        loops[nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count].executor
    }

    /// Runs until graceful shutdown, then closes every pooled connection.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes every pooled connection; later commands fail with `.shutdown`.
    public func close() async {
        for connection in pool { await connection.close() }
        await cluster?.close()
    }

    /// A client nobody holds any more closes its connections (each one's channel would otherwise keep it alive).
    deinit {
        for connection in pool { connection.closeChannel() }
    }

    /// Whether this is a Redis Cluster client (`redis.mode` "cluster").
    public var isCluster: Bool { cluster != nil }

    /// Number of commands currently waiting for a reply across the pool.
    public var commandsInFlight: Int { cluster?.commandsInFlight ?? inFlight.load(ordering: .relaxed) }

    /// Number of pooled connections that are currently connected.
    public var connectedCount: Int { cluster?.connectedCount ?? pool.filter(\.isConnected).count }

    /// Sends one command on a pooled connection.
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RedisReply {
        if let cluster { return try await cluster.send(command) }
        let started = ContinuousClock.now
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        do {
            let reply = try await pickConnection().send(command)
            metrics.record(since: started)
            return reply
        } catch let error as RedisError {
            metrics.failed(error)
            throw error
        }
    }

    /// Sends one command given as arguments; the first is the command name.
    @discardableResult
    public func send(_ arguments: [RedisArgument]) async throws -> RedisReply {
        try await send(RedisCommand(arguments))
    }

    /// Sends one command given as text arguments.
    @discardableResult
    public func send(_ arguments: String...) async throws -> RedisReply {
        try await send(RedisCommand(arguments.map { .string($0) }))
    }

    /// Writes all commands in one go on one connection and returns their replies in order.
    /// Error replies stay in the array as `.error`; only connection-level failures throw.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        if let cluster { return try await cluster.pipeline(commands) }
        let started = ContinuousClock.now
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        do {
            let replies = try await pickConnection().pipeline(commands)
            metrics.record(since: started)
            return replies
        } catch let error as RedisError {
            metrics.failed(error)
            throw error
        }
    }

    /// Runs `body` with a connection of its own, closed afterwards: for blocking commands such as `XREADGROUP ... BLOCK`,
    /// which would otherwise hold up every command queued behind them on a shared connection. In cluster mode the
    /// connection goes to the master of `key`'s slot as the slot map says now: after a failover, call again.
    public func withDedicatedConnection<T: Sendable>(forKey key: String? = nil, _ body: (RedisConnection) async throws -> T) async throws -> T {
        if let cluster {
            let client = try await cluster.client(for: key.map { RedisClusterSlot.slot(of: $0) })
            return try await client.withDedicatedConnection(body)
        }
        // `any()` keeps a caller that runs on one of the loops (see ``taskExecutor()``) on that loop.
        let connection = RedisConnection(configuration: configuration, eventLoop: eventLoopGroup.any())
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Round robin over the pool, or over the connections of the caller's own event loop when it runs on one,
    /// skipping connections still backing off after a failed connect while another can serve (Redis just came back).
    private func pickConnection() -> RedisConnection {
        let index = nextConnection.wrappingAdd(1, ordering: .relaxed).oldValue
        var candidates = pool
        if loops.count > 1, let local = loops.first(where: { $0.executor.eventLoop.inEventLoop }) {
            candidates = local.connections
        }
        let first = index % candidates.count
        for offset in 0..<candidates.count {
            let connection = candidates[(first + offset) % candidates.count]
            if !connection.isBackingOff { return connection }
        }
        return candidates[first]
    }
}

/// The client's metrics, made once so the hot path only records.
struct RedisMetrics: Sendable {
    let latency = Metrics.Timer(label: "redis_command_duration_seconds")
    let errors = Counter(label: "redis_command_errors_total", dimensions: [("kind", "other")])
    let unavailable = Counter(label: "redis_command_errors_total", dimensions: [("kind", "unavailable")])
    let timeouts = Counter(label: "redis_command_errors_total", dimensions: [("kind", "timeout")])
    let closed = Counter(label: "redis_command_errors_total", dimensions: [("kind", "connection_closed")])
    let server = Counter(label: "redis_command_errors_total", dimensions: [("kind", "server")])

    func record(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        latency.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    func failed(_ error: RedisError) {
        switch error.code {
        case .unavailable: unavailable.increment()
        case .timeout: timeouts.increment()
        case .connectionClosed: closed.increment()
        case .server: server.increment()
        default: errors.increment()
        }
    }
}
