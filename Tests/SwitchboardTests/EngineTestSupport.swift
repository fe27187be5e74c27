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

    /// `profiles`: agentId → its `routingProfile` (others get none: the default queue's profile).
    static func start(nodes count: Int = 1, agents: Int, routing: [String: Any] = [:], local: [String: Any] = [:],
                      profiles: [String: String] = [:]) async throws -> EngineCluster {
        let agentIds = (1...agents).map { "a\($0)" }
        let agentConfigs: [[String: Any]] = agentIds.map { id in
            var agent: [String: Any] = ["username": id, "password": "pw", "displayName": id.uppercased()]
            if let profile = profiles[id] { agent["routingProfile"] = profile }
            return agent
        }
        let deployment = try await TestDeployment([
            "local": local.merging(["agents": agentConfigs]) { $1 },
            "routing": routing,
        ])
        for _ in 0..<count { try await deployment.start() }
        return EngineCluster(deployment: deployment, redis: try await TestRedis.client(), agentIds: agentIds)
    }

    func stop() { for node in nodes { node.stop() } }

    var routing: String { "\(prefix):{routing:default}" }

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
        let snapshot = try await redis.pipeline([
            RedisCommand("MULTI"),
            RedisCommand((["HMGET", "\(routing):agents"] + agentIds).map { .string($0) }),
            RedisCommand("ZRANGE", "\(routing):offers", "0", "-1"),
            RedisCommand("ZRANGE", "\(routing):queued:chat", "0", "-1"),
            RedisCommand("ZRANGE", "\(routing):queued:voice", "0", "-1"),
            RedisCommand("EXEC"),
        ]).last?.array
        guard let snapshot, snapshot.count == 4 else { return ["MULTI snapshot failed"] }
        for (agent, json) in zip(agentIds, snapshot[0].array ?? []) {
            guard let json = json.string else { problems.append("\(agent) has no routing record"); continue }
            let record = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
            for channel in ["chat", "voice"] {
                let held = (record[channel] as? [String: Any] ?? [:]).keys
                if held.count > (channel == "chat" ? capacity.chat : capacity.voice) { problems.append("\(agent) holds \(held.count) \(channel)") }
                for contact in held { holders[contact, default: []].append(agent) }
            }
        }
        let offers = Set(snapshot[1].strings)
        var queued: [String: Int] = [:]
        for contact in snapshot[2].strings + snapshot[3].strings { queued[contact, default: 0] += 1 }
        for (contact, agents) in holders where agents.count > 1 { problems.append("\(contact) held by \(agents)") }
        for contact in offers where holders[contact]?.count != 1 { problems.append("offer \(contact) not held by exactly one agent") }
        for (contact, count) in queued where count > 1 { problems.append("\(contact) queued \(count) times") }
        guard quiescent else { return problems }
        for contact in Set(holders.keys).union(offers).union(queued.keys) {
            let state = try await routingState(of: contact) ?? "?"
            switch state {
            case "queued": if holders[contact] != nil || queued[contact] == nil { problems.append("\(contact) queued but held/not queued") }
            case "offered": if !offers.contains(contact) || queued[contact] != nil { problems.append("\(contact) offered but not in offers") }
            case "connected": if offers.contains(contact) || queued[contact] != nil { problems.append("\(contact) connected but offered/queued") }
            default: problems.append("\(contact) in structures with state \(state)")
            }
        }
        return problems
    }

    /// Routing's state of a contact (`queued`, `offered`, ...), from its JSON record; nil when routing does not know it.
    func routingState(of contactId: String) async throws -> String? {
        try await routingField(of: contactId, "state")
    }

    /// The contacts routing has an agent hold (offered or connected) on a channel, from its JSON record.
    func routingHeld(by agentId: String, channel: String) async throws -> [String] {
        guard let json = try await redis.hget("\(routing):agents", agentId),
              let record = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [] }
        return (record[channel] as? [String: Any] ?? [:]).keys.sorted()
    }

    /// One field of routing's JSON record of a contact, as text.
    func routingField(of contactId: String, _ field: String) async throws -> String? {
        guard let json = try await redis.hget("\(routing):contacts", contactId),
              let record = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], let value = record[field] else { return nil }
        return "\(value)"
    }
}

/// The agent `contactId` is offered to now: the one whose latest frame about it is an offer (an earlier offer may
/// have been withdrawn). Waits for it.
func offeree(_ contactId: String, _ agents: [TestAgent]) async throws -> TestAgent {
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
        if let agent = agents.first(where: { $0.socket.frames.last { $0["contactId"] as? String == contactId }?["type"] as? String == "offer" }) {
            return agent
        }
        try await Task.sleep(for: .milliseconds(5))
    }
    throw TestClientError("nobody was offered \(contactId)")
}

/// Has whichever agent is offered `contactId` accept it; returns that agent.
func acceptByOfferee(_ contactId: String, _ agents: [TestAgent]) async throws -> TestAgent {
    let agent = try await offeree(contactId, agents)
    agent.socket.send(["action": "accept", "contactId": contactId])
    try await agent.socket.waitFor(type: "contact_connected", contactId: contactId)
    return agent
}
