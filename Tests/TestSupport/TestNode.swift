import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deployment of real `switchboard serve` processes for tests and benchmarks: the repository's config.json with a
/// unique key prefix and event stream on the test Redis, any number of nodes started from the built binary.
public final class TestDeployment: @unchecked Sendable {
    /// The config every node starts from, as JSON.
    public let config: [String: Any]
    /// Key prefix of this deployment.
    public let prefix: String
    /// Event stream of this deployment.
    public var stream: String { "\(prefix):events" }
    /// Nodes started so far.
    public private(set) var nodes: [TestNode] = []
    private let directory: String

    /// The repository's config.json with `overrides` merged in (see ``merge(_:_:)``).
    public init(redisURL: String? = nil, _ overrides: [String: Any] = [:]) async throws {
        let repo = Self.repository
        let data = try Data(contentsOf: URL(fileURLWithPath: repo + "/config.json"))
        let base = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        prefix = "t\(UUID().uuidString.prefix(8).lowercased())"
        var url = redisURL ?? ""
        if url.isEmpty { url = try await TestRedis.url() }
        config = Self.merge(Self.merge(base, [
            "redis": ["url": url, "keyPrefix": prefix],
            "events": ["stream": "\(prefix):events"],
            "security": ["rateLimits": ["startContactPerMinutePerIp": 0, "loginPerMinutePerIp": 0, "loginPerMinutePerUsername": 0,
                                         "wsRegisterPerMinutePerIp": 0, "participantApiPerSecondPerToken": 0]],
            "paths": ["web": repo + "/web", "lua": repo + "/lua"],
        ]), overrides)
        directory = NSTemporaryDirectory() + "sb-deploy-\(prefix)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The repository root: `SWITCHBOARD_REPO`, else the working directory (swift test runs there).
    public static var repository: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_REPO"] ?? FileManager.default.currentDirectoryPath
    }

    /// The server binary: `SWITCHBOARD_BIN`, else `.build/debug/switchboard` under the repository.
    public static var binary: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_BIN"] ?? repository + "/.build/debug/switchboard"
    }

    /// Starts one more node (`overrides` merged into ``config``, `environment` added to ours) and waits until `/health` answers 200. The node binds
    /// port 0 and writes the port it got to an address file (`serve --address-file`), so no two servers ever race for a
    /// port. Its output goes to `<id>.log` in a temp directory.
    @discardableResult
    public func start(nodeId: String? = nil, environment extra: [String: String] = [:], _ overrides: [String: Any] = [:]) async throws -> TestNode {
        let config = Self.merge(Self.merge(config, [
            "node": ["host": "127.0.0.1", "port": 0],
            // HummingbirdWSClient always sends `Origin: ws://<host>`; tests allow it as a browser origin would be.
            "security": ["allowedOrigins": ["http://allowed.example", "ws://127.0.0.1"]],
        ]), overrides)
        let id = nodeId ?? "\(prefix)-n\(nodes.count + 1)"
        let path = "\(directory)/\(id).json"
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
        var environment = ProcessInfo.processInfo.environment
        environment["LOG_LEVEL"] = environment["LOG_LEVEL"] ?? "notice"
        environment.merge(extra) { $1 }
        let logPath = "\(directory)/\(id).log"
        let addressPath = "\(directory)/\(id).address"
        try? FileManager.default.removeItem(atPath: addressPath)
        let pid = try ChildProcess.spawn(Self.binary, ["serve", "--config", path, "--node-id", id, "--address-file", addressPath],
                                         environment: environment, outputPath: logPath)
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        let deadline = ContinuousClock.now + .seconds(30)
        var port: Int?
        while ContinuousClock.now < deadline {
            if port == nil, let text = try? String(contentsOfFile: addressPath, encoding: .utf8) {
                port = text.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
            if let port, let (status, body) = try? await HTTP.request("GET", "http://127.0.0.1:\(port)/health"), status == 200,
               body?["node"] as? String == id {
                let node = TestNode(nodeId: id, port: port, logPath: logPath, pid: pid)
                nodes.append(node)
                return node
            }
            if ChildProcess.wait(pid, timeout: 0) != nil {
                throw TestClientError("node \(id) exited at start; log:\n\(log().suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        ChildProcess.terminate(pid, signal: SIGKILL)
        throw TestClientError("node \(id) did not become healthy; log:\n\(log().suffix(3000))")
    }

    /// Stops every node still running (SIGTERM, then SIGKILL after `timeout`) and waits for each exit.
    public func stop(timeout: Double = 20) {
        for node in nodes { node.stop(timeout: timeout) }
    }

    deinit {
        for node in nodes { node.stop(signal: SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `overrides` merged into `base`: nested objects merged key by key, everything else replaced.
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

/// One `switchboard serve` child process; killed (SIGKILL) when released while still running.
public final class TestNode: @unchecked Sendable {
    /// Node id.
    public let nodeId: String
    /// Listening port on 127.0.0.1.
    public let port: Int
    /// Where its output goes.
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

    /// Sends `signal` and waits for the exit; returns the exit status (128+signal when killed, -1 when already stopped).
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
    ///
    /// A plain HTTP/1.1 exchange over a blocking socket with 10 s timeouts, on a Dispatch thread: URLSession on Linux
    /// was seen to stop answering every caller at once under parallel tests, with its own timeouts never firing.
    public static func raw(_ method: String, _ url: String, json: Any? = nil, body: Data? = nil, headers: [String: String] = [:]) async throws
        -> (Int, Data, [String: String]) {
        guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else { throw TestClientError("bad URL \(url)") }
        var payload = body ?? Data()
        var fields = headers
        if let json {
            payload = try JSONSerialization.data(withJSONObject: json)
            fields["Content-Type"] = "application/json"
        }
        let path = parsed.path.isEmpty ? "/" : parsed.path + (parsed.query.map { "?" + $0 } ?? "")
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nContent-Length: \(payload.count)\r\n"
        for (name, value) in fields { head += "\(name): \(value)\r\n" }
        let request = Data((head + "\r\n").utf8) + payload
        let response: Data = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try exchange(request, host: host, port: port) })
            }
        }
        guard let split = response.range(of: Data("\r\n\r\n".utf8)) else { throw TestClientError("no HTTP response from \(url)") }
        let lines = String(decoding: response[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw TestClientError("bad status line from \(url)")
        }
        var out: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var content = Data(response[split.upperBound...])
        if out["transfer-encoding"]?.lowercased() == "chunked" { content = dechunk(content) }
        return (status, content, out)
    }

    private static func exchange(_ request: Data, host: String, port: Int) throws -> Data {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestClientError("socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestClientError("connection to \(host):\(port) refused") }
        try request.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw TestClientError("send to \(host):\(port) failed") }
                sent += n
            }
        }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { break }
            guard n > 0 else { throw TestClientError("no answer from \(host):\(port) within 10 s") }
            response.append(contentsOf: buffer[0..<n])
        }
        return response
    }

    private static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            guard let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";")[0], radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size else { break }
            let end = rest.index(start, offsetBy: size)
            out.append(rest[start..<end])
            rest = rest[rest.index(end, offsetBy: min(2, rest.distance(from: end, to: rest.endIndex)))...]
        }
        return out
    }
}
