import Foundation
import PropertyBased
import RedisClient
import SwitchboardCore
import Testing
import TestSupport

/// The design's routing properties, checked through a real node with generated cases.
@Suite(.serialized, .timeLimit(.minutes(3)), .enabled(if: EngineCluster.available, "build the server first (.build/debug/switchboard)"))
struct EnginePropertyTests {
    /// Property 4 (agent continuity): an escalated voice contact is offered first to the agent of its chat, whatever
    /// the other agents' idle times (here shuffled by toggling them Offline/Available in a generated order).
    @Test func property4AgentContinuity() async throws {
        let cluster = try await EngineCluster.start(nodes: 2, agents: 4)
        defer { cluster.stop() }
        var agents: [TestAgent] = []
        for (index, id) in cluster.agentIds.enumerated() { agents.append(try await cluster.login(id, node: index)) }
        await propertyCheck(count: 100, input: Gen.int(in: 0...23), Gen.int(in: 0...1)) { order, voiceNode in
            do {
                // A generated idle order: agents go Offline then Available again in a permutation picked by `order`.
                var pool = Array(agents.indices)
                var permutation: [Int] = []
                var code = order
                while !pool.isEmpty { permutation.append(pool.remove(at: code % pool.count)); code /= max(1, pool.count + 1) }
                for index in permutation {
                    let mark = agents[index].socket.frames.count
                    agents[index].socket.send(["action": "set_state", "state": "Offline"])
                    agents[index].socket.send(["action": "set_state", "state": "Available"])
                    try await agents[index].socket.waitFor(after: mark, "state") { $0["type"] as? String == "state" && $0["state"] as? String == "Available" }
                }
                let chat = try await cluster.startChat(node: voiceNode)
                let chatAgent = try await acceptByOfferee(chat.contactId, agents)
                let voice = try await cluster.startVoice(node: 1 - voiceNode, userId: chat.userId, related: chat.contactId)["contactId"] as! String
                let offeree = try await acceptByOfferee(voice, agents)
                #expect(offeree === chatAgent, "voice \(voice) went to \(offeree.agentId), chat was with \(chatAgent.agentId)")
                for (contact, agent) in [(voice, offeree), (chat.contactId, chatAgent)] {
                    agent.socket.send(["action": "end", "contactId": contact])
                    try await agent.socket.waitFor(type: "contact_ended", contactId: contact)
                }
            } catch {
                Issue.record(error)
            }
        }
    }

    /// Property 5 (contact linkage kept through the lifecycle): whatever happens to an escalated voice contact (rejects,
    /// accept, end), its relatedContactId stays on the contact, in routing state and on every event it emits.
    @Test func property5ContactLinkageKeptThroughTheLifecycle() async throws {
        let cluster = try await EngineCluster.start(nodes: 1, agents: 2, routing: ["rejectCooldownSeconds": 0])
        defer { cluster.stop() }
        let agents = [try await cluster.login("a1"), try await cluster.login("a2")]
        await propertyCheck(count: 100, input: Gen.int(in: 0...2), Gen.bool()) { rejects, accept in
            do {
                let chat = try await cluster.startChat()
                let chatAgent = try await acceptByOfferee(chat.contactId, agents)
                let started = try await cluster.startVoice(userId: chat.userId, related: chat.contactId)
                let voice = started["contactId"] as! String
                func checkLinkage(_ step: String) async throws {
                    let related = try await cluster.redis.hget(RedisKeys(prefix: cluster.prefix).contact(voice), "relatedContactId")
                    let routed = try await cluster.routingField(of: voice, "related")
                    #expect(related == chat.contactId && routed == chat.contactId, "after \(step): \(String(describing: related)) / \(String(describing: routed))")
                }
                try await checkLinkage("start")
                for round in 0..<rejects {
                    let offeree = try await offeree(voice, agents)
                    let mark = offeree.socket.frames.count
                    offeree.socket.send(["action": "reject", "contactId": voice])
                    try await offeree.socket.waitFor(type: "offer_withdrawn", contactId: voice, after: mark)
                    try await checkLinkage("reject \(round)")
                }
                var voiceAgent: TestAgent?
                if accept { voiceAgent = try await acceptByOfferee(voice, agents) }
                try await checkLinkage("accept")
                // End: the voice's agent hangs up, or (never accepted) the chat's agent ends the chat and the voice is stopped by its agent-less end.
                if let voiceAgent {
                    voiceAgent.socket.send(["action": "end", "contactId": voice])
                    try await voiceAgent.socket.waitFor(type: "contact_ended", contactId: voice)
                    try await checkLinkage("end")
                }
                chatAgent.socket.send(["action": "end", "contactId": chat.contactId])
                try await chatAgent.socket.waitFor(type: "contact_ended", contactId: chat.contactId)
                if !accept {
                    // Never accepted: the customer leaves ("Continue in chat") through the Participant Service.
                    let base = cluster.nodes[0].url + "/connect/participant"
                    let (_, connection) = try await HTTP.request("POST", "\(base)/connection", json: ["Type": ["CONNECTION_CREDENTIALS"]],
                                                                 headers: ["X-Amz-Bearer": started["participantToken"] as! String])
                    let token = (connection?["ConnectionCredentials"] as? [String: Any])?["ConnectionToken"] as? String ?? ""
                    let (disconnected, _) = try await HTTP.request("POST", "\(base)/disconnect", json: [String: Any](), headers: ["X-Amz-Bearer": token])
                    #expect(disconnected == 200)
                    try await checkLinkage("end")
                }
                for entry in try await cluster.redis.xrange("\(cluster.prefix):events") {
                    guard let text = entry.fields["event"], text.contains(voice),
                          let event = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                          let detail = event["detail"] as? [String: Any], detail["contactId"] as? String == voice else { continue }
                    #expect(detail["relatedContactId"] as? String == chat.contactId, "\(detail["eventType"] ?? "?") lost relatedContactId")
                }
            } catch {
                Issue.record(error)
            }
        }
    }
}
