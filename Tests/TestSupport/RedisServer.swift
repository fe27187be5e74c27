import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RedisClient

/// A private `redis-server` process for tests that must stop, restart or otherwise own their Redis.
public final class RedisServer: @unchecked Sendable {
    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    private let directory: String
    private var pid: pid_t?

    /// Starts a throwaway Redis (no persistence) on a free port and waits until it answers.
    public init() async throws {
        directory = NSTemporaryDirectory() + "sb-redis-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try FreePort.find()
        try await start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The `redis://` URL of this server.
    public var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Starts the process again after ``stop()``.
    public func start() async throws {
        pid = try ChildProcess.spawn(try Self.executable(), ["--port", String(port), "--bind", "127.0.0.1", "--save", "",
                                                             "--appendonly", "no", "--dir", directory, "--loglevel", "warning"])
        for _ in 0..<200 {
            if FreePort.canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw RedisError(.unavailable, "redis-server on port \(port) did not start")
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

    private actor FallbackServer {
        var server: Task<RedisServer, Error>?
        func url() async throws -> String {
            if let server { return try await server.value.url }
            let starting = Task { try await RedisServer() }
            server = starting
            return try await starting.value.url
        }
    }
}
