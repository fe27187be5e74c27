import Foundation
import RedisClient
import Testing
import TestSupport

/// Server nodes of one ``TestDeployment``, with generated agents (password `pw`).
struct EngineCluster {
    let deployment: TestDeployment
    let redis: RedisClient
    let agentIds: [String]

    var nodes: [TestNode] { deployment.nodes }
    var prefix: String { deployment.prefix }

    /// Whether the server binary exists (tests that start nodes are skipped without it).
    static var available: Bool { FileManager.default.isExecutableFile(atPath: TestDeployment.binary) }

    static func start(nodes count: Int = 1, agents: Int, routing: [String: Any] = [:], local: [String: Any] = [:]) async throws -> EngineCluster {
        let agentIds = (1...agents).map { "a\($0)" }
        let deployment = try await TestDeployment([
            "local": local.merging(["agents": agentIds.map { ["username": $0, "password": "pw", "displayName": $0.uppercased()] }]) { $1 },
            "routing": routing,
        ])
        for _ in 0..<count { try await deployment.start() }
        return EngineCluster(deployment: deployment, redis: try await TestRedis.client(), agentIds: agentIds)
    }

    func stop() { for node in nodes { node.stop() } }

    var routing: String { "\(prefix):{routing}" }

    func login(_ agentId: String, node: Int = 0, available: Bool = true) async throws -> TestAgent {
        try await TestAgent.login(nodes[node % nodes.count], username: agentId, password: "pw", available: available)
    }

    /// POST /start-chat-contact on node `node`.
    func startChat(node: Int = 0, userId: String = newUserId()) async throws -> (contactId: String, userId: String, token: String) {
        let reply = try await nodes[node % nodes.count].startContact("chat", ["userId": userId])
        guard let token = reply["participantToken"] as? String else { throw TestClientError("start-chat-contact: no participantToken in \(reply)") }
        return (reply["contactId"] as! String, userId, token)
    }

    /// POST /start-voice-contact on node `node`, related to `related`; returns the reply.
    func startVoice(node: Int = 0, userId: String, related: String?) async throws -> [String: Any] {
        try await nodes[node % nodes.count].startContact("voice", related.map { ["userId": userId, "relatedContactId": $0] } ?? ["userId": userId])
    }

    /// SPEC §7 invariants on what Redis holds: offered to at most one agent, nobody over capacity, every non-ended
    /// contact in exactly the structures of its state. Returns the problems found.
    func invariantViolations(capacity: (chat: Int, voice: Int) = (3, 1), quiescent: Bool = true) async throws -> [String] {
        var problems: [String] = []
        var holders: [String: [String]] = [:]
        // One MULTI snapshot of every structure, so a check while routing runs sees one consistent moment.
        let queues = Array(Set(try await redis.smembers("\(routing):queues") + ["default"]))
        var commands = [RedisCommand("MULTI")]
        for agent in agentIds {
            for channel in ["chat", "voice"] { commands.append(RedisCommand("SMEMBERS", "\(routing):agent:\(agent):\(channel)")) }
        }
        commands.append(RedisCommand("ZRANGE", "\(routing):offers", "0", "-1"))
        for queue in queues {
            for channel in ["chat", "voice"] { commands.append(RedisCommand("ZRANGE", "\(routing):queue:\(queue):\(channel)", "0", "-1")) }
        }
        commands.append(RedisCommand("EXEC"))
        guard let snapshot = try await redis.pipeline(commands).last?.array else { return ["MULTI snapshot failed"] }
        var index = 0
        for agent in agentIds {
            for channel in ["chat", "voice"] {
                let held = snapshot[index].strings
                index += 1
                if held.count > (channel == "chat" ? capacity.chat : capacity.voice) { problems.append("\(agent) holds \(held.count) \(channel)") }
                for contact in held { holders[contact, default: []].append(agent) }
            }
        }
        let offers = Set(snapshot[index].strings)
        index += 1
        var queued: [String: Int] = [:]
        for _ in queues {
            for _ in ["chat", "voice"] {
                for contact in snapshot[index].strings { queued[contact, default: 0] += 1 }
                index += 1
            }
        }
        for (contact, agents) in holders where agents.count > 1 { problems.append("\(contact) held by \(agents)") }
        for contact in offers where holders[contact]?.count != 1 { problems.append("offer \(contact) not held by exactly one agent") }
        for (contact, count) in queued where count > 1 { problems.append("\(contact) queued \(count) times") }
        guard quiescent else { return problems }
        for contact in Set(holders.keys).union(offers).union(queued.keys) {
            let state = try await redis.hget("\(routing):contact:\(contact)", "state") ?? "?"
            switch state {
            case "queued": if holders[contact] != nil || queued[contact] == nil { problems.append("\(contact) queued but held/not queued") }
            case "offered": if !offers.contains(contact) || queued[contact] != nil { problems.append("\(contact) offered but not in offers") }
            case "connected": if offers.contains(contact) || queued[contact] != nil { problems.append("\(contact) connected but offered/queued") }
            default: problems.append("\(contact) in structures with state \(state)")
            }
        }
        return problems
    }
}
