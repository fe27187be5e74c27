import SwitchboardCore
import ContactEngine
import Foundation
import RedisClient
import TestSupport

/// Redis + N `switchboard serve` processes (the release binary next to this one) for benchmarks.
final class BenchCluster {
    /// The Redis started for the run; `nil` when the run uses one given by URL.
    let redis: RedisServer?
    /// How the bench's own clients reach Redis.
    let benchRedis: RedisConfiguration
    let nodes: [TestNode]
    let deployment: TestDeployment

    /// Redis (the nodes reach it over `transport`; the bench's own clients use its socket), or the Redis at `externalURL`
    /// (a Redis Cluster when `cluster`), and `count` nodes.
    init(nodes count: Int, transport: BenchTransport = .unix, externalURL: String? = nil, cluster: Bool = false) async throws {
        let nodeRedis: NodeRedisSettings
        if let externalURL {
            redis = nil
            nodeRedis = NodeRedisSettings(url: externalURL, cluster: cluster)
            var configuration = try RedisConfiguration(url: externalURL)
            configuration.cluster = cluster
            benchRedis = configuration
        } else {
            let started = try await transport.start()
            (redis, nodeRedis) = (started.server, started.nodeRedis)
            benchRedis = try RedisConfiguration(url: started.server.url)
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchboard").path
        setenv("SWITCHBOARD_BIN", binary, 1)
        setenv("LOG_LEVEL", "warning", 1)
        deployment = try await TestDeployment(redis: nodeRedis)
        var nodes: [TestNode] = []
        for _ in 0..<count { nodes.append(try await deployment.start()) }
        self.nodes = nodes
    }

    /// Resident memory of a process in bytes, from /proc.
    static func rss(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return 0 }
        return kb * 1024
    }

    func stop() {
        for node in nodes { node.stop() }
        redis?.stop()
    }
}

/// Percentiles of a sample, in milliseconds.
struct Percentiles {
    let sorted: [Double]
    init(_ values: [Double]) { sorted = values.sorted() }
    func at(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
    var max: Double { sorted.last ?? .nan }
}
