import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RedisClient
import Synchronization

/// A private `redis-server` process for tests that must stop, restart or otherwise own their Redis.
///
/// It listens on a Unix domain socket in its own directory, not on a TCP port: a path nobody else can take needs no
/// free-port guess, and it stays the same across ``stop()`` and ``start()``.
public final class RedisServer: @unchecked Sendable {
    /// The socket it listens on.
    public let socketPath: String
    /// Its folder, for files that go with it (certificates).
    public let directory: String
    private let arguments: [String]
    private var pid: pid_t?

    /// Starts a throwaway Redis (no persistence) and waits until it answers; `arguments` are added to its command line
    /// (a TCP or TLS listener besides the socket), and `prepare` runs in its folder first (to make certificates there).
    public init(arguments: [String] = [], prepare: (String) throws -> Void = { _ in }) async throws {
        self.arguments = arguments
        directory = NSTemporaryDirectory() + "sb-redis-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        socketPath = directory + "/redis.sock"
        try prepare(directory)
        try await start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The URL of this server (`unix://` with database 0).
    public var url: String { "unix://\(socketPath)?db=0" }

    /// A client configuration for this server.
    public func configuration(_ base: RedisConfiguration = RedisConfiguration()) -> RedisConfiguration {
        var configuration = base
        configuration.unixSocketPath = socketPath
        return configuration
    }

    /// Starts the process again after ``stop()``, and waits until it accepts connections (or has exited).
    public func start() async throws {
        let logPath = directory + "/redis.log"
        let started = try ChildProcess.spawn(try Self.executable(), ["--port", "0", "--unixsocket", socketPath, "--save", "",
                                                                     "--appendonly", "no", "--dir", directory, "--loglevel", "warning"] + arguments,
                                             outputPath: logPath)
        pid = started
        while !SocketProbe.canConnect(unixSocket: socketPath) {
            if ChildProcess.wait(started, timeout: 0) != nil {
                pid = nil
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw RedisError(.unavailable, "redis-server exited at start:\n\(log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Freezes the process (SIGSTOP): connections stay open but nothing answers, as with a stalled or half-open link.
    public func pause() {
        if let pid { kill(pid, SIGSTOP) }
    }

    /// Lets a paused process go on (SIGCONT).
    public func resume() {
        if let pid { kill(pid, SIGCONT) }
    }

    /// Stops the process (SIGTERM) and waits until it has exited.
    public func stop() {
        if let pid { ChildProcess.terminate(pid) }
        pid = nil
    }

    private static func executable() throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") + ["/usr/bin", "/usr/sbin"] {
            let path = "\(dir)/redis-server"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw RedisError(.unavailable, "redis-server is not installed; run ops/test.sh, which installs it")
    }
}

/// The Redis the test command started (`SWITCHBOARD_TEST_REDIS_URL`), or a private one when run outside it.
public enum TestRedis {
    private static let fallback = FallbackServer()

    /// The URL tests share. Every test uses its own key prefix so tests can run in parallel.
    public static func url() async throws -> String {
        if let url = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_REDIS_URL"], !url.isEmpty { return url }
        return try await fallback.url()
    }

    /// A client on the shared test Redis.
    public static func client(poolSize: Int = 4) async throws -> RedisClient {
        let configuration = try RedisConfiguration(url: try await url(), base: RedisConfiguration(poolSize: poolSize))
        return RedisClient(configuration: configuration)
    }

    /// A key prefix no other test uses.
    public static func uniquePrefix(_ name: String = "t") -> String {
        "test:\(name):\(UUID().uuidString.prefix(8))"
    }

    /// Started on first use when the test command did not provide one; stopped when the test process exits.
    private actor FallbackServer {
        var server: Task<RedisServer, Error>?
        func url() async throws -> String {
            if let server { return try await server.value.url }
            let starting = Task { () throws -> RedisServer in
                let server = try await RedisServer()
                FallbackServer.running.withLock { $0 = server }
                atexit { FallbackServer.running.withLock { $0?.stop() } }
                return server
            }
            server = starting
            return try await starting.value.url
        }

        /// Reachable from the `atexit` handler, which cannot capture anything.
        static let running = Mutex<RedisServer?>(nil)
    }
}
