import SwitchboardCore
import ContactEngine
import ArgumentParser
import Foundation
import RedisClient
import Switchboard
import TestSupport

/// `switchboard-bench routing`: routing decisions per second through the Lua scripts from one process (new contacts piling
/// onto 50 agents of capacity 1000; then whole lifecycles, enqueue → accept → end, on 50 agents of capacity 3), and
/// StartChatContact → agent-offered latency over real HTTP and the agent WebSocket of a real node.
struct RoutingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routing", abstract: "Routing scripts throughput and offer latency.")

    @Option(help: "Redis URL (redis://HOST:PORT/DB).") var redis: String
    @Option(help: "Contacts routed in the throughput run.") var contacts = 20_000
    @Option(help: "Concurrent tasks.") var clients = 32
    @Option(help: "Contacts measured in the latency run.") var samples = 300

    func run() async throws {
        let client = RedisClient(configuration: try RedisConfiguration(url: redis, base: RedisConfiguration(poolSize: 8)))
        let routingKeys = RedisKeys.routingScriptKeys(under: "bench\(UUID().uuidString.prefix(6).lowercased()):{routing}")
        let scripts = try ScriptCatalog.read(directory: "\(TestDeployment.repository)/lua")
        try await ScriptCatalog.preload(scripts, into: client)
        let now: @Sendable () -> Int = { Int(Date().timeIntervalSince1970 * 1000) }
        let contacts = contacts, clients = clients
        for agent in 0..<50 {
            try await client.evalScript(scripts[.routingAgentUpsert], keys: routingKeys, args: [.string("a\(agent)"), .int(1000), .int(1), .int(now())])
            try await client.evalScript(scripts[.routingAgentState], keys: routingKeys, args: [.string("a\(agent)"), "Available", .int(now())])
        }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<clients {
                group.addTask {
                    for index in stride(from: worker, to: contacts, by: clients) {
                        try await client.evalScript(scripts[.routingEnqueue], keys: routingKeys,
                                                    args: [.string("c\(index)"), "chat", "default", "", .int(now()), 20000, 30000, 60000])
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
        print(String(format: "routing_enqueue decisions: %d in %.2fs = %.0f/s (%d tasks, 50 agents)", contacts, seconds, Double(contacts) / seconds, clients))
        try await lifecycles(client: client, scripts: scripts, now: now)

        // Latency: one node, one agent; each sample starts a chat over HTTP and waits for the offer on the agent socket.
        let deployment = try await TestDeployment(redisURL: redis, [
            "local": ["agents": [["username": "bench", "password": "pw", "displayName": "Bench", "chatCapacity": 1000]]],
        ])
        let node = try await deployment.start()
        defer { node.stop() }
        let agent = try await TestAgent.login(node, username: "bench", password: "pw")
        var latencies: [Double] = []
        for _ in 0..<samples {
            let mark = agent.socket.frames.count
            let began = ContinuousClock.now
            let (status, json) = try await HTTP.request("POST", "\(node.url)/start-chat-contact", json: ["userId": "user_\(UUID().uuidString.lowercased())"])
            guard status == 200, let id = json?["contactId"] as? String else { throw TestClientError("start failed: \(status)") }
            try await agent.socket.waitFor(type: "offer", contactId: id, after: mark)
            let elapsed = ContinuousClock.now - began
            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            agent.socket.send(["action": "reject", "contactId": id])
        }
        latencies.sort()
        print(String(format: "StartChatContact -> offer on agent socket: p50 %.2f ms, p99 %.2f ms (%d samples, HTTP + WS, debug=%@)",
                     Self.percentile(latencies, 0.5), Self.percentile(latencies, 0.99), samples, TestDeployment.binary.contains("debug") ? "yes" : "no"))
    }

    /// Contacts that come and go as in a contact centre: each is enqueued, accepted by the agent it is offered to and
    /// ended (three decisions), on 50 agents of chat capacity 3, so agents' loads stay what they are in production.
    func lifecycles(client: RedisClient, scripts: RedisScriptSet, now: @escaping @Sendable () -> Int) async throws {
        let keys = RedisKeys.routingScriptKeys(under: "bench\(UUID().uuidString.prefix(6).lowercased()):{routing}")
        for agent in 0..<50 {
            try await client.evalScript(scripts[.routingAgentUpsert], keys: keys, args: [.string("a\(agent)"), 3, 1, .int(now())])
            try await client.evalScript(scripts[.routingAgentState], keys: keys, args: [.string("a\(agent)"), "Available", .int(now())])
        }
        let contacts = contacts, clients = clients
        let start = ContinuousClock.now
        let durations = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<clients {
                group.addTask {
                    var durations: [Double] = []
                    func timed(_ script: LuaScript, _ args: [RedisArgument]) async throws -> RoutingOutcome {
                        let began = ContinuousClock.now
                        let reply = try await client.evalScript(scripts[script], keys: keys, args: args)
                        let elapsed = ContinuousClock.now - began
                        durations.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                        return RoutingOutcome(reply)
                    }
                    for index in stride(from: worker, to: contacts, by: clients) {
                        let id = "l\(index)"
                        let routed = try await timed(.routingEnqueue, [.string(id), "chat", "default", "", .int(now()), 20000, 30000, 60000])
                        if let offer = routed.offers.first(where: { $0.contactId == id }) {
                            _ = try await timed(.routingAccept, [.string(id), .string(offer.agentId), .int(now())])
                        }
                        _ = try await timed(.routingEnd, [.string(id), .int(now()), 60])
                    }
                    return durations
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }.sorted()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "lifecycle decisions (enqueue, accept, end): %d in %.2fs = %.0f/s, per call p50 %.2f ms, p99 %.2f ms (%d tasks, 50 agents of capacity 3)",
                     durations.count, seconds, Double(durations.count) / seconds, Self.percentile(durations, 0.5), Self.percentile(durations, 0.99), clients))
    }

    /// The `p` quantile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
}
