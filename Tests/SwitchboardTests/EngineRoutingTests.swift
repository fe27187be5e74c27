import Foundation
import RedisClient
import SwitchboardCore
import Testing
import TestSupport

/// Routing through real server nodes: HTTP to start contacts, agent WebSockets to receive and answer offers.
@Suite(.serialized, .timeLimit(.minutes(3)), .enabled(if: EngineCluster.available, "build the server first (.build/debug/switchboard)"))
struct EngineRoutingTests {
    /// Starts a chat on node 0 and has whoever is offered it accept it; returns the contact and that agent.
    func connectedChat(_ cluster: EngineCluster, _ agents: [TestAgent]) async throws -> (contactId: String, userId: String, agent: TestAgent) {
        let chat = try await cluster.startChat()
        return (chat.contactId, chat.userId, try await acceptByOfferee(chat.contactId, agents))
    }

    @Test func escalatedVoiceIsOfferedToTheChatsAgentEvenWhileOthersAreIdle() async throws {
        let cluster = try await EngineCluster.start(nodes: 2, agents: 3)
        defer { cluster.stop() }
        var agents: [TestAgent] = []
        for (index, id) in cluster.agentIds.enumerated() { agents.append(try await cluster.login(id, node: index)) }
        let chat = try await connectedChat(cluster, agents)
        // The two others have been idle longer than the chat's agent (its offer reset its idle time).
        let marks = agents.map { $0.socket.frames.count }
        let voice = try await cluster.startVoice(node: 1, userId: chat.userId, related: chat.contactId)
        let voiceId = voice["contactId"] as! String
        let offer = try await chat.agent.socket.waitFor(type: "offer", contactId: voiceId, after: marks[agents.firstIndex { $0 === chat.agent }!])
        #expect(offer["channel"] as? String == "voice")
        #expect(offer["relatedContactId"] as? String == chat.contactId)
        for (index, other) in agents.enumerated() where other !== chat.agent {
            #expect(!other.socket.frames[marks[index]...].contains { $0["contactId"] as? String == voiceId })
        }
        // Reject → standard routing: one of the others gets it.
        chat.agent.socket.send(["action": "reject", "contactId": voiceId])
        try await chat.agent.socket.waitFor(type: "offer_withdrawn", contactId: voiceId)
        let deadline = Date().addingTimeInterval(5)
        var reoffered = false
        while Date() < deadline && !reoffered {
            reoffered = agents.contains { $0 !== chat.agent && $0.socket.frames.contains { $0["type"] as? String == "offer" && $0["contactId"] as? String == voiceId } }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(reoffered)
    }

    @Test("routing profiles: a contact is offered only to agents of its queue's profile, in that profile's keys; its escalated call stays in its queue and goes to its agent; bad queues are refused")
    func routingProfiles() async throws {
        let cluster = try await EngineCluster.start(nodes: 2, agents: 3, routing: ["profiles": ["billing": ["invoices", "refunds"]]],
                                                    profiles: ["a2": "billing", "a3": "billing"])
        defer { cluster.stop() }
        // config.json's own "default": ["default"] stays (the test config is merged over it): a1 serves it.
        let support = try await cluster.login("a1", node: 0)
        let billing = [try await cluster.login("a2", node: 1), try await cluster.login("a3", node: 0)]
        let keys = RedisKeys(prefix: cluster.prefix)

        // A refunds chat: offered to a billing agent, never to a1, and routed in billing's keys only.
        let userId = newUserId()
        let supportMark = support.socket.frames.count
        let refund = try await cluster.nodes[1].startContact("chat", ["userId": userId, "queue": "refunds"])["contactId"] as! String
        let offered = try await acceptByOfferee(refund, billing)
        #expect(try await cluster.redis.send("HEXISTS", keys.routingContacts(profile: "billing"), refund).int == 1)
        #expect(try await cluster.redis.send("HEXISTS", keys.routingContacts(profile: "default"), refund).int != 1)
        #expect(try await cluster.redis.hget(keys.contact(refund), "queue") == "refunds")

        // A chat without a queue goes to the default queue: support's agent.
        let plain = try await cluster.startChat(node: 1)
        try await support.socket.waitFor(type: "offer", contactId: plain.contactId, after: supportMark)
        #expect(try await cluster.redis.send("HEXISTS", keys.routingContacts(profile: "default"), plain.contactId).int == 1)
        #expect(!support.socket.frames[supportMark...].contains { $0["contactId"] as? String == refund })

        // The refund chat's call: in the chat's queue without asking, offered to the chat's agent (continuity).
        let marks = billing.map { $0.socket.frames.count }
        let voice = try await cluster.startVoice(node: 0, userId: userId, related: refund)["contactId"] as! String
        try await offered.socket.waitFor(type: "offer", contactId: voice, after: marks[billing.firstIndex { $0 === offered }!])
        #expect(try await cluster.redis.hget(keys.contact(voice), "queue") == "refunds")
        #expect(!support.socket.frames[supportMark...].contains { $0["contactId"] as? String == voice })

        // Bad queues: unknown, malformed, or another queue than the escalated chat's.
        for (kind, body, message) in [
            ("chat", ["userId": newUserId(), "queue": "nowhere"], "not a queue of any routing profile"),
            ("chat", ["userId": newUserId(), "queue": "two words"], "\"queue\" must be 1 to 64"),
            ("chat", ["userId": newUserId(), "queue": 7] as [String: Any], "\"queue\" must be a string"),
            ("voice", ["userId": userId, "relatedContactId": refund, "queue": "default"], "the queue of the related chat contact"),
        ] as [(String, [String: Any], String)] {
            let (status, reply) = try await HTTP.request("POST", "\(cluster.nodes[0].url)/start-\(kind)-contact", json: body)
            let error = reply?["error"] as? [String: Any]
            #expect(status == 400 && error?["code"] as? String == "INVALID_REQUEST", "\(body): \(status) \(String(describing: reply))")
            #expect((error?["message"] as? String)?.contains(message) == true, "\(body): \(String(describing: error))")
        }
    }

    @Test func aChatNobodyEndsIsEndedWhenItsDurationRunsOutAndFreesTheAgent() async throws {
        let cluster = try await EngineCluster.start(nodes: 2, agents: 1, routing: ["tickIntervalMs": 100],
                                                    local: ["chatDurationSeconds": 2])
        defer { cluster.stop() }
        let agent = try await cluster.login("a1", node: 1)
        let chat = try await connectedChat(cluster, [agent])
        let contactKey = RedisKeys(prefix: cluster.prefix).contact(chat.contactId)
        let deadlines = RedisKeys(prefix: cluster.prefix).contactDeadlines(of: chat.contactId)
        #expect(try await cluster.redis.send("ZSCORE", deadlines, chat.contactId).int != nil)
        #expect(try await cluster.redis.send("HGET", contactKey, "state").string == "connected")

        // Nobody ends it: both nodes sweep, it ends once, as EXPIRED, and the agent's capacity is free again.
        let ended = try await agent.socket.waitFor(type: "contact_ended", contactId: chat.contactId, timeout: .seconds(10))
        #expect(ended["channel"] as? String == "chat")
        // Both nodes' tickers see the deadline; give the second a few ticks to (wrongly) end it again.
        try await Task.sleep(for: .milliseconds(500))
        #expect(agent.socket.frames.filter { $0["type"] as? String == "contact_ended" && $0["contactId"] as? String == chat.contactId }.count == 1)
        #expect(try await cluster.redis.send("HGET", contactKey, "state").string == "ended")
        #expect(try await cluster.redis.send("HGET", contactKey, "disconnectReason").string == "EXPIRED")
        #expect(try await cluster.redis.send("ZSCORE", deadlines, chat.contactId).isNull)
        #expect(try await cluster.routingHeld(by: "a1", channel: "chat").isEmpty)
        let next = try await connectedChat(cluster, [agent])
        #expect(next.agent === agent)
    }

    @Test func continuityFallsBackAfterTimeoutAndOffline() async throws {
        let cluster = try await EngineCluster.start(nodes: 2, agents: 2, routing: ["offerTimeoutSeconds": 1, "tickIntervalMs": 100,
                                                                                     "rejectCooldownSeconds": 60])
        defer { cluster.stop() }
        let agents = [try await cluster.login("a1", node: 0), try await cluster.login("a2", node: 1)]
        let chat = try await connectedChat(cluster, agents)
        let other = agents.first { $0 !== chat.agent }!
        // Timeout: the chat's agent lets the voice offer lapse; the other agent gets it.
        let voice = try await cluster.startVoice(userId: chat.userId, related: chat.contactId)["contactId"] as! String
        try await chat.agent.socket.waitFor(type: "offer", contactId: voice)
        let withdrawn = try await chat.agent.socket.waitFor(type: "offer_withdrawn", contactId: voice, timeout: .seconds(5))
        #expect(withdrawn["reason"] as? String == "timeout")
        try await other.socket.waitFor(type: "offer", contactId: voice, timeout: .seconds(5))
        other.socket.send(["action": "reject", "contactId": voice])
        try await other.socket.waitFor(type: "offer_withdrawn", contactId: voice)

        // Offline: a second escalation of the same chat; its agent goes Offline while offered; the other gets it.
        let voice2 = try await cluster.startVoice(userId: chat.userId, related: chat.contactId)["contactId"] as! String
        try await chat.agent.socket.waitFor(type: "offer", contactId: voice2)
        chat.agent.socket.send(["action": "set_state", "state": "Offline"])
        let offline = try await chat.agent.socket.waitFor(type: "offer_withdrawn", contactId: voice2)
        #expect(offline["reason"] as? String == "offline")
        try await other.socket.waitFor(type: "offer", contactId: voice2, timeout: .seconds(5))
        do { let violations = try await cluster.invariantViolations(); #expect(violations.isEmpty, "\(violations)") }
    }

    @Test func authenticatedListsContactsAndOffersSoAReloadResumes() async throws {
        let cluster = try await EngineCluster.start(nodes: 1, agents: 1)
        defer { cluster.stop() }
        let agent = try await cluster.login("a1")
        let chat = try await connectedChat(cluster, [agent])
        let pending = try await cluster.startChat()
        try await agent.socket.waitFor(type: "offer", contactId: pending.contactId)
        let reloaded = try await cluster.login("a1", available: false)
        let authenticated = try await reloaded.socket.waitFor(type: "authenticated")
        let contacts = authenticated["contacts"] as? [[String: Any]] ?? []
        let offers = authenticated["offers"] as? [[String: Any]] ?? []
        #expect(contacts.map { $0["contactId"] as? String } == [chat.contactId])
        #expect(contacts.first?["participantToken"] is String)
        #expect(offers.map { $0["contactId"] as? String } == [pending.contactId])
    }

    @Test func thousandContactsOnFiftyAgentsAcrossTwoNodesKeepTheInvariants() async throws {
        let cluster = try await EngineCluster.start(nodes: 2, agents: 50, routing: ["offerTimeoutSeconds": 5, "tickIntervalMs": 200])
        defer { cluster.stop() }
        var agents: [TestAgent] = []
        for (index, id) in cluster.agentIds.enumerated() { agents.append(try await cluster.login(id, node: index)) }
        let contacts = 1000
        // Agents accept every offer and end each contact a little later, from their own tasks.
        let stop = Task {
            await withTaskGroup(of: Void.self) { group in
                for agent in agents {
                    group.addTask {
                        var seen = 0
                        while !Task.isCancelled {
                            let frames = agent.socket.frames
                            for frame in frames[seen...] {
                                guard let id = frame["contactId"] as? String else { continue }
                                switch frame["type"] as? String {
                                case "offer": agent.socket.send(["action": "accept", "contactId": id])
                                case "contact_connected": agent.socket.send(["action": "end", "contactId": id])
                                default: break
                                }
                            }
                            seen = frames.count
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
            }
        }
        var started: [String] = []
        try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<20 {
                group.addTask {
                    var ids: [String] = []
                    for _ in 0..<(contacts / 20) { ids.append(try await cluster.startChat(node: worker).contactId) }
                    return ids
                }
            }
            for try await ids in group { started += ids }
        }
        #expect(started.count == contacts)
        do { let violations = try await cluster.invariantViolations(quiescent: false); #expect(violations.isEmpty, "\(violations)") }
        // Every contact ends up connected and then ended.
        let deadline = Date().addingTimeInterval(90)
        var remaining = started.count
        while Date() < deadline {
            var open = 0
            for chunk in stride(from: 0, to: started.count, by: 200) {
                let keys = RedisKeys(prefix: cluster.prefix)
                let commands = started[chunk..<min(chunk + 200, started.count)].map { RedisCommand("HGET", keys.contact($0), "state") }
                open += try await cluster.redis.pipeline(commands).filter { $0.string != "ended" }.count
            }
            remaining = open
            if remaining == 0 { break }
            do { let violations = try await cluster.invariantViolations(quiescent: false); #expect(violations.isEmpty, "\(violations)") }
            try await Task.sleep(for: .milliseconds(500))
        }
        stop.cancel()
        #expect(remaining == 0)
        // An end commits the contact's state first and frees routing a few steps later (README, "Contact lifecycle"), so
        // the last contacts seen ended may still be in routing's structures for a moment: wait for that moment to pass.
        var violations = try await cluster.invariantViolations()
        let settled = ContinuousClock.now + .seconds(10)
        while !violations.isEmpty, ContinuousClock.now < settled {
            try await Task.sleep(for: .milliseconds(50))
            violations = try await cluster.invariantViolations()
        }
        #expect(violations.isEmpty, "\(violations)")
        // Each contact was connected exactly once: one CONNECTED_TO_AGENT event per contact.
        let events = try await cluster.redis.xrange("\(cluster.prefix):events")
        var connected: [String: Int] = [:]
        for entry in events {
            guard let text = entry.fields["event"], let event = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let detail = event["detail"] as? [String: Any], detail["eventType"] as? String == "CONNECTED_TO_AGENT",
                  let id = detail["contactId"] as? String else { continue }
            connected[id, default: 0] += 1
        }
        #expect(connected.count == contacts)
        #expect(connected.values.allSatisfy { $0 == 1 })
    }
}
