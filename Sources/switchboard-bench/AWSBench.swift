import SwitchboardCore
import ContactEngine
import ArgumentParser
import Foundation
import TestSupport

/// `switchboard-bench aws`: what AWS mode adds to `POST /start-chat-contact`. One node in local mode plays Amazon Connect;
/// a node in AWS mode calls it with SigV4 over HTTP. The same number of starts go to each, alternating, and the
/// percentiles of both and of their difference are printed.
struct AWSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "aws", abstract: "Start-chat latency in AWS mode vs local mode.")

    @Option(help: "Start calls per node.") var samples = 300

    func run() async throws {
        let cluster = try await BenchCluster(nodes: 1)
        defer { cluster.stop() }
        let connect = cluster.nodes[0]
        let aws = try await cluster.deployment.start(
            nodeId: "aws-mode",
            environment: ["AWS_ACCESS_KEY_ID": "LOCALDEMOACCESSKEY", "AWS_SECRET_ACCESS_KEY": "local-demo-secret"],
            ["redis": ["keyPrefix": cluster.deployment.prefix + "aws"], "events": ["stream": cluster.deployment.prefix + "aws:events"],
             "connect": ["mode": "aws", "endpoint": connect.url + "/connect", "participantEndpoint": connect.url + "/connect"]])
        var local: [Double] = [], viaAWS: [Double] = []
        for index in 0..<(samples * 2) {
            let node = index % 2 == 0 ? connect : aws
            let began = ContinuousClock.now
            let (status, _) = try await HTTP.request("POST", node.url + "/start-chat-contact", json: ["userId": "user_\(UUID().uuidString.lowercased())"])
            guard status == 200 else { throw ValidationError("start-chat-contact on \(node.nodeId) answered \(status)") }
            let elapsed = ContinuousClock.now - began
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            if index % 2 == 0 { local.append(ms) } else { viaAWS.append(ms) }
        }
        let l = Percentiles(local), a = Percentiles(viaAWS)
        print(String(format: "start-chat-contact, %d calls each: local mode p50 %.2f ms p99 %.2f ms; aws mode p50 %.2f ms p99 %.2f ms",
                     samples, l.at(0.5), l.at(0.99), a.at(0.5), a.at(0.99)))
        print(String(format: "added by aws mode: p50 %+.2f ms, p99 %+.2f ms (ratio p50 %.2f, p99 %.2f)",
                     a.at(0.5) - l.at(0.5), a.at(0.99) - l.at(0.99), a.at(0.5) / l.at(0.5), a.at(0.99) / l.at(0.99)))
    }
}
