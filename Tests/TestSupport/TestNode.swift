import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A deployment of real `switchboard serve` processes for tests: one generated config (unique key prefix and event
/// stream on the test Redis), any number of nodes started from the built binary.
public final class TestDeployment: @unchecked Sendable {
    /// The config every node starts from, as JSON.
    public private(set) var config: [String: Any]
    /// Key prefix of this deployment.
    public let prefix: String
    /// Event stream of this deployment.
    public var stream: String { (config["events"] as! [String: Any])["stream"] as! String }
    /// Nodes started so far.
    public private(set) var nodes: [TestNode] = []
    private let directory: String

    /// Makes a config from the repository's config.json; `adjust` edits it further.
    public init(redisURL: String? = nil, adjust: (inout [String: Any]) -> Void = { _ in }) async throws {
        let repo = Self.repository
        let data = try Data(contentsOf: URL(fileURLWithPath: repo + "/config.json"))
        var config = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        prefix = "t\(UUID().uuidString.prefix(8).lowercased())"
        var url = redisURL ?? ""
        if url.isEmpty { url = try await TestRedis.url() }
        config["redis"] = ["url": url, "keyPrefix": prefix, "poolSize": 4, "commandTimeoutMs": 5000]
        var events = config["events"] as! [String: Any]
        events["stream"] = "\(prefix):events"
        config["events"] = events
        var security = config["security"] as! [String: Any]
        var rates = security["rateLimits"] as! [String: Any]
        rates["startContactPerMinutePerIp"] = 0
        security["rateLimits"] = rates
        config["security"] = security
        config["paths"] = ["web": repo + "/web", "lua": repo + "/lua"]
        adjust(&config)
        self.config = config
        directory = NSTemporaryDirectory() + "sb-deploy-\(prefix)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The repository root: `SWITCHBOARD_REPO`, else the working directory (swift test runs there).
    public static var repository: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_REPO"] ?? FileManager.default.currentDirectoryPath
    }

    /// Starts one more node and waits until `/health` answers 200.
    @discardableResult
    public func start(nodeId: String? = nil, adjust: (inout [String: Any]) -> Void = { _ in }) async throws -> TestNode {
        let port = try FreePort.find()
        var config = config
        config["node"] = ["host": "127.0.0.1", "port": port]
        var security = config["security"] as! [String: Any]
        // HummingbirdWSClient always sends `Origin: ws://<host>`; tests allow it as a browser origin would be.
        security["allowedOrigins"] = ["http://127.0.0.1:\(port)", "http://allowed.example", "ws://127.0.0.1"]
        config["security"] = security
        adjust(&config)
        let id = nodeId ?? "\(prefix)-n\(nodes.count + 1)"
        let path = "\(directory)/\(id).json"
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
        let node = try await TestNode.start(configPath: path, nodeId: id, port: port, logPath: "\(directory)/\(id).log")
        nodes.append(node)
        return node
    }

    deinit {
        for node in nodes { node.stop(signal: SIGKILL) }
    }
}

/// One `switchboard serve` child process.
public final class TestNode: @unchecked Sendable {
    /// Node id.
    public let nodeId: String
    /// Listening port on 127.0.0.1.
    public let port: Int
    /// Where its log goes.
    public let logPath: String
    /// The process id while running.
    public private(set) var pid: pid_t?

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }
    /// `ws://127.0.0.1:<port>`.
    public var wsURL: String { "ws://127.0.0.1:\(port)" }

    init(nodeId: String, port: Int, logPath: String, pid: pid_t) {
        self.nodeId = nodeId
        self.port = port
        self.logPath = logPath
        self.pid = pid
    }

    static func start(configPath: String, nodeId: String, port: Int, logPath: String) async throws -> TestNode {
        let binary = ProcessInfo.processInfo.environment["SWITCHBOARD_BIN"] ?? TestDeployment.repository + "/.build/debug/switchboard"
        var environment = ProcessInfo.processInfo.environment
        environment["LOG_LEVEL"] = environment["LOG_LEVEL"] ?? "notice"
        let pid = try ChildProcess.spawn(binary, ["serve", "--config", configPath, "--node-id", nodeId], environment: environment, outputPath: logPath)
        let node = TestNode(nodeId: nodeId, port: port, logPath: logPath, pid: pid)
        for _ in 0..<600 {
            if let (status, _) = try? await HTTP.request("GET", node.url + "/health"), status == 200 { return node }
            if ChildProcess.wait(pid, timeout: 0) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        node.stop(signal: SIGKILL)
        throw TestSocketError(message: "node \(nodeId) did not become healthy; log:\n\(log.suffix(3000))")
    }

    /// Sends `signal` and waits for the exit; returns the exit status (128+signal when killed).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 20) -> Int32 {
        guard let pid else { return -1 }
        self.pid = nil
        return ChildProcess.terminate(pid, signal: signal, timeout: timeout)
    }

    /// The node's log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { stop(signal: SIGKILL) }
}

/// Minimal HTTP for tests (URLSession over real sockets).
public enum HTTP {
    /// Sends a request; returns the status and the parsed JSON body (or nil).
    public static func request(_ method: String, _ url: String, json: Any? = nil, body: Data? = nil, headers: [String: String] = [:]) async throws
        -> (Int, [String: Any]?) {
        let (status, data, _) = try await raw(method, url, json: json, body: body, headers: headers)
        return (status, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any])
    }

    /// Sends a request; returns status, body bytes and headers.
    public static func raw(_ method: String, _ url: String, json: Any? = nil, body: Data? = nil, headers: [String: String] = [:]) async throws
        -> (Int, Data, [String: String]) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var out: [String: String] = [:]
        for (key, value) in http.allHeaderFields { out[String(describing: key).lowercased()] = String(describing: value) }
        return (http.statusCode, data, out)
    }
}
