import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `switchboard serve` node started as a child process, for multi-node tests (engine, hub) and benchmarks.
///
/// Its config is the repository's `config.json` with `configOverrides` merged in (objects merged key by key, other
/// values replaced), plus a free port; its output goes to a temp log file that `log` reads back for failure messages.
public final class NodeProcess: @unchecked Sendable {
    /// The node's port on 127.0.0.1.
    public let port: Int
    /// The node id passed with `--node-id`.
    public let nodeId: String
    /// Path of the captured stdout/stderr.
    public let logPath: String
    /// Path of the config file the node was started with.
    public let configPath: String
    private var pid: pid_t?

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }
    /// `ws://127.0.0.1:<port>`.
    public var wsURL: String { "ws://127.0.0.1:\(port)" }

    private init(port: Int, nodeId: String, logPath: String, configPath: String, pid: pid_t) {
        self.port = port
        self.nodeId = nodeId
        self.logPath = logPath
        self.configPath = configPath
        self.pid = pid
    }

    /// The server binary: `SWITCHBOARD_BIN`, else `.build/debug/switchboard` under the repository.
    public static var binary: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_BIN"] ?? "\(repository)/.build/debug/switchboard"
    }

    /// The repository root: `SWITCHBOARD_REPO`, else the working directory (where `swift test` runs).
    public static var repository: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_REPO"] ?? FileManager.default.currentDirectoryPath
    }

    /// Starts a node and waits until `/health` answers (at most `timeout` seconds).
    /// `configOverrides` usually sets `redis.url`, a unique `redis.keyPrefix` and `events.stream`.
    public static func start(configOverrides: [String: Any], nodeId: String? = nil, timeout: Double = 30) async throws -> NodeProcess {
        let base = "\(repository)/config.json"
        guard let data = FileManager.default.contents(atPath: base),
              var config = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw NodeProcessError.start("cannot read \(base)")
        }
        let port = try FreePort.find()
        config = merge(config, ["node": ["port": port], "paths": ["lua": "\(repository)/lua", "web": "\(repository)/web"]])
        config = merge(config, configOverrides)
        let id = nodeId ?? "node-\(UUID().uuidString.prefix(6).lowercased())"
        let directory = NSTemporaryDirectory() + "switchboard-node-\(id)-\(port)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configPath = directory + "/config.json"
        let logPath = directory + "/node.log"
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: configPath))
        let pid = try ChildProcess.spawn(binary, ["serve", "--config", configPath, "--node-id", id], outputPath: logPath)
        let node = NodeProcess(port: port, nodeId: id, logPath: logPath, configPath: configPath, pid: pid)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FreePort.canConnect(port: port) { return node }
            if let status = ChildProcess.wait(pid, timeout: 0) {
                node.pid = nil
                throw NodeProcessError.start("node exited with \(status): \(node.log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        node.stop(signal: SIGKILL)
        throw NodeProcessError.start("node did not listen within \(timeout)s: \(node.log.suffix(2000))")
    }

    /// Stops the node with `signal` (SIGTERM: graceful) and returns its exit status; nil when already stopped.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 10) -> Int32? {
        guard let pid else { return nil }
        self.pid = nil
        return ChildProcess.terminate(pid, signal: signal, timeout: timeout)
    }

    /// Everything the node printed so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { stop(signal: SIGKILL, timeout: 2) }

    /// `overrides` merged into `base`: nested objects merged, everything else replaced.
    public static func merge(_ base: [String: Any], _ overrides: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in overrides {
            if let nested = value as? [String: Any], let existing = result[key] as? [String: Any] {
                result[key] = merge(existing, nested)
            } else {
                result[key] = value
            }
        }
        return result
    }
}

/// Why a node could not be started.
public enum NodeProcessError: Error, CustomStringConvertible {
    /// The message says what went wrong and includes the node's log tail.
    case start(String)

    public var description: String {
        switch self {
        case .start(let message): "node start failed: \(message)"
        }
    }
}
