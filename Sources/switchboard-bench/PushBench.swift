import SwitchboardCore
import ContactEngine
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import HummingbirdWSClient
import Logging
import RedisClient
import Switchboard
import Synchronization
import TestSupport

/// `switchboard-bench push`: U customers connected over N nodes; CONNECTED_TO_AGENT events XADDed at R/s; time from
/// XADD to the `enable_escalation` frame on the customer's socket. `--idle S`: memory per idle registered socket.
struct PushBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Event → socket latency and loss; idle socket memory.")

    @Option(help: "Server nodes.") var nodes = 2
    @Option(help: "Connected customers.") var users = 500
    @Option(parsing: .upToNextOption, help: "Event rates to measure, events/s.") var rates: [Int] = [2000]
    @Option(help: "Seconds per rate.") var seconds = 5
    @Option(help: "Instead: open this many idle registered sockets and report server RSS per socket.") var idle = 0
    @Option(help: "With --idle: tcp (connect only), ws (upgrade, no register) or register.") var idleMode = "register"
    @Option(help: "How nodes reach Redis: unix, tcp or tls (loopback).") var redisTransport = "unix"
    @Option(help: "Instead: use the Redis at this URL (not started, not stopped), e.g. a Redis Cluster's seed node.") var redisURL: String?
    @Flag(help: "With --redis-url: it is a Redis Cluster (redis.mode \"cluster\").") var redisCluster = false

    func run() async throws {
        guard let transport = BenchTransport(rawValue: redisTransport) else { throw ValidationError("--redis-transport: unix, tcp or tls") }
        let cluster = try await BenchCluster(nodes: nodes, transport: transport, externalURL: redisURL, cluster: redisCluster)
        defer { cluster.stop() }
        if idle > 0 {
            try await measureIdle(cluster)
        } else {
            try await measureLatency(cluster)
        }
    }

    private func measureLatency(_ cluster: BenchCluster) async throws {
        var configuration = cluster.benchRedis
        configuration.poolSize = 4
        let redis = RedisClient(configuration: configuration)
        let keys = RedisKeys(prefix: cluster.deployment.prefix)
        let userIds = (0..<users).map { _ in "user_\(UUID().uuidString.lowercased())" }
        let received = Receipts()
        print("nodes=\(nodes) users=\(users) seconds/rate=\(seconds) redis=\(redisURL.map { "\($0)\(redisCluster ? " (cluster)" : "")" } ?? redisTransport)")
        print("rate/s   sent  delivered  lost   p50 ms   p99 ms   max ms")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, user) in userIds.enumerated() {
                let url = cluster.nodes[index % cluster.nodes.count].wsURL + "/ws"
                group.addTask {
                    try await Self.listen(url: url, userId: user) { contactId in
                        let now = ContinuousClock.now
                        received.times.withLock { if $0[contactId] == nil { $0[contactId] = now } }
                    }
                }
            }
            while BenchCounters.registered.load(ordering: .relaxed) < users { try await Task.sleep(for: .milliseconds(20)) }
            for rate in rates {
                let total = rate * seconds
                // One contact per event, so each receipt identifies its event.
                let contacts = (0..<total).map { _ in UUID().uuidString.lowercased() }
                for start in stride(from: 0, to: total, by: 1000) {
                    _ = try await redis.pipeline((start..<min(total, start + 1000)).map { i in
                        RedisCommand("HSET", keys.contact(contacts[i]), "id", contacts[i], "channel", "CHAT", "initiationMethod", "API", "initiatedAt", "0",
                                     "attr:userId", userIds[i % users], "attr:InitiationMethod", "Chat")
                    })
                }
                // Built before the clock starts, so the load generator spends nothing on them while it measures.
                let events = contacts.map { Self.event(contactId: $0) }
                received.times.withLock { $0.removeAll() }
                var sentAt: [String: ContinuousClock.Instant] = [:]
                sentAt.reserveCapacity(total)
                let started = ContinuousClock.now
                let tick = Duration.milliseconds(2)
                var sent = 0
                while sent < total {
                    let due = min(total, Int(Double(rate) * (ContinuousClock.now - started).seconds) + 1)
                    if due > sent {
                        let batch = (sent..<due).map { i in
                            RedisCommand("XADD", cluster.deployment.stream, "*", "event", events[i])
                        }
                        let now = ContinuousClock.now
                        for i in sent..<due { sentAt[contacts[i]] = now }
                        _ = try await redis.pipeline(batch)
                        sent = due
                    }
                    try await Task.sleep(for: tick)
                }
                try await Task.sleep(for: .seconds(2))  // anything later than this counts as lost
                let got = received.times.withLock { $0 }
                var latencies: [Double] = []
                for (contact, at) in got { if let sent = sentAt[contact] { latencies.append((at - sent).seconds * 1000) } }
                let p = Percentiles(latencies)
                print(String(format: "%6d %6d  %9d %5d  %7.2f  %7.2f  %7.2f", rate, total, latencies.count, total - latencies.count, p.at(0.5), p.at(0.99), p.max))
            }
            group.cancelAll()
        }
        await redis.close()
    }

    private func measureIdle(_ cluster: BenchCluster) async throws {
        try await Task.sleep(for: .seconds(1))
        let before = cluster.nodes.map { BenchCluster.rss(pid: $0.pid!) }
        // A process may hold 20,000 descriptors here, so client sockets are spread over child processes.
        let perChild = 5000
        var children: [Int32] = []
        for start in stride(from: 0, to: idle, by: perChild) {
            let count = min(perChild, idle - start)
            let url = cluster.nodes[(start / perChild) % cluster.nodes.count].wsURL + "/ws"
            children.append(try ChildProcess.spawn(CommandLine.arguments[0], ["idle-clients", "--url", url, "--count", String(count), "--mode", idleMode]))
        }
        let redis = RedisClient(configuration: cluster.benchRedis)
        var open = 0
        for _ in 0..<600 {
            open = 0
            if idleMode == "register" {
                for node in cluster.nodes { open += try await redis.smembers("\(cluster.deployment.prefix):{n:\(node.nodeId)}:conns").count }
            } else {
                // Count established server-side TCP connections of the nodes' ports.
                let ports = Set(cluster.nodes.map { String(format: "%04X", $0.port) })
                // procfs reports size 0, so read to the end rather than by size.
                let table = FileHandle(forReadingAtPath: "/proc/net/tcp").map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) } ?? ""
                open = table.split(separator: "\n").filter { line in
                    let f = line.split(separator: " ")
                    return f.count > 3 && f[3] == "01" && ports.contains(String(f[1].split(separator: ":").last ?? ""))
                }.count
            }
            if open >= idle { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        try await Task.sleep(for: .seconds(2))
        let after = cluster.nodes.map { BenchCluster.rss(pid: $0.pid!) }
        let delta = zip(after, before).map { $0 - $1 }.reduce(0, +)
        print("idle \(idleMode) connections: \(open) over \(cluster.nodes.count) node(s)")
        print("server RSS before: \(before.map { $0 / 1024 }) KiB, after: \(after.map { $0 / 1024 }) KiB")
        print(String(format: "memory per idle socket: %.2f KB (RSS delta %.1f MiB / %d sockets)", Double(delta) / Double(max(open, 1)) / 1000,
                     Double(delta) / 1_048_576, open))
        for child in children { ChildProcess.terminate(child, signal: SIGKILL) }
        await redis.close()
    }

    /// One customer socket: register, then report each enable_escalation's contactId until cancelled.
    static func listen(url: String, userId: String, onEscalation: @escaping @Sendable (String) -> Void) async throws {
        try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 16), logger: Logger(label: "bench")) { inbound, outbound, _ in
            try await outbound.write(.text(registerFrame(userId)))
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let text) = message else { continue }
                if text.contains(#""type":"registered""#) {
                    BenchCounters.registered.add(1, ordering: .relaxed)
                } else if text.contains(#""type":"enable_escalation""#), let range = text.range(of: #""contactId":""#) {
                    let rest = text[range.upperBound...]
                    if let end = rest.firstIndex(of: "\"") { onEscalation(String(rest[..<end])) }
                }
            }
        }
    }

    static func event(contactId: String) -> String {
        Wire.encode(BenchEvent(id: UUID().uuidString, detail: .init(contactId: contactId)))
    }

    /// `{"action":"register","userId","userToken"}` for a customer of the demo token secret.
    static func registerFrame(_ userId: String) -> String {
        Wire.encode(["action": "register", "userId": userId, "userToken": demoTokens.token(for: userId)])
    }
}

/// When each contact's enable_escalation arrived.
final class Receipts: Sendable {
    let times = Mutex<[String: ContinuousClock.Instant]>([:])
}

/// Process-wide counters of the bench clients.
enum BenchCounters {
    static let registered = Atomic<Int>(0)
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// `switchboard-bench idle-clients`: holds registered, silent customer sockets (a child of `push --idle`).
struct IdleClients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "idle-clients", abstract: "Hold idle registered sockets (internal).")
    @Option var url: String
    @Option var count: Int
    @Option var mode = "register"

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<count {
                if i % 200 == 199 { try await Task.sleep(for: .milliseconds(50)) }
                if mode == "tcp" {
                    let port = Int(url.split(separator: ":").last!.split(separator: "/").first!)!
                    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
                    group.addTask { try await channel.closeFuture.get() }
                    continue
                }
                let register = mode == "register"
                group.addTask {
                    try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 16), logger: Logger(label: "idle")) { inbound, outbound, _ in
                        let userId = "user_\(UUID().uuidString.lowercased())"
                        if register { try await outbound.write(.text(PushBench.registerFrame(userId))) }
                        for try await _ in inbound.messages(maxSize: 1 << 16) {}
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// Tokens under config.json's demo `security.userTokenSecret`, which the bench's nodes run with.
let demoTokens = UserTokens(secret: "local-demo-user-token-secret")

/// The CONNECTED_TO_AGENT event the push benchmark appends for each contact.
struct BenchEvent: Encodable {
    struct Detail: Encodable {
        var eventType = "CONNECTED_TO_AGENT"
        var contactId: String
        var channel = "CHAT"
        var initiationMethod = "API"
    }

    var version = "0"
    var id: String
    var detailType = "Amazon Connect Contact Event"
    var source = "aws.connect"
    var detail: Detail

    enum CodingKeys: String, CodingKey { case version, id, detailType = "detail-type", source, detail }
}
