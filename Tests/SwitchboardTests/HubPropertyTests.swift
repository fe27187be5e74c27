import Foundation
import PropertyBased
import RedisClient
@testable import Switchboard
import Testing
import TestSupport

/// The design's properties 1, 2, 3 and 7, each checked on at least 100 generated cases.
@Suite("Design properties of the real-time core", .serialized, .timeLimit(.minutes(3)))
struct HubPropertyTests {
    enum Step: CaseIterable, Sendable { case chat, voice, escalate }

    @Test("Property 1: userId consistency across a session's contacts")
    func property1UserIdConsistency() async throws {
        let deployment = try await TestDeployment()
        let node = try await deployment.start()
        let redis = try await TestRedis.client()
        await propertyCheck(count: 100, input: Gen.int(in: 0...2).array(of: 1...4)) { picks in
            let steps = picks.map { Step.allCases[$0] }
            let user = newUserId()
            var contacts: [String] = []
            var lastChat: String?
            for step in steps {
                switch step {
                case .chat:
                    let id = try await node.startChat(userId: user)
                    lastChat = id
                    contacts.append(id)
                case .voice:
                    contacts.append(try await node.startVoice(userId: user))
                case .escalate:
                    guard let chat = lastChat else { continue }
                    contacts.append(try await node.startVoice(userId: user, initiationMethod: "Chat", related: chat))
                }
            }
            for id in contacts {
                let record = try #require(ContactRecord(hash: try await redis.hgetall("\(deployment.prefix):{contacts}:contact:\(id)")))
                #expect(record.userId == user)
                if let related = record.relatedContactId {
                    let parent = ContactRecord(hash: try await redis.hgetall("\(deployment.prefix):{contacts}:contact:\(related)"))
                    #expect(parent?.userId == user)
                }
            }
        }
    }

    @Test("Property 2: InitiationMethod attribute correctness")
    func property2InitiationMethod() async throws {
        let deployment = try await TestDeployment()
        let node = try await deployment.start()
        let redis = try await TestRedis.client()
        let methods: [String?] = [nil, "Chat", "Voice", "Email", ""]
        await propertyCheck(count: 100, input: Gen<Bool>.bool, Gen.int(in: 0...4)) { voice, pick in
            let method = methods[pick]
            let user = newUserId()
            var json: [String: Any] = ["userId": user]
            if let method { json["initiationMethod"] = method }
            let (status, body) = try await HTTP.request("POST", node.url + (voice ? "/start-voice-contact" : "/start-chat-contact"), json: json)
            let valid = voice ? [nil, "Chat", "Voice"].contains(method) : [nil, "Chat"].contains(method)
            #expect(status == (valid ? 200 : 400), "voice=\(voice) method=\(method ?? "nil")")
            guard valid, let id = body?["contactId"] as? String else { return }
            let record = try #require(ContactRecord(hash: try await redis.hgetall("\(deployment.prefix):{contacts}:contact:\(id)")))
            #expect(record.attributes["InitiationMethod"] == (voice ? method ?? "Voice" : "Chat"))
            #expect(record.attributes["interactionMode"] == (voice ? "voice-chat" : "chat-only"))
        }
    }

    @Test("Property 3: escalation enabled for Chat only")
    func property3EscalationForChatOnly() async {
        let types = ["INITIATED", "QUEUED", "CONNECTED_TO_AGENT", "DISCONNECTED", "COMPLETED", "connected_to_agent"]
        let methods: [String?] = ["Chat", "Voice", "chat", nil, "Email"]
        await propertyCheck(count: 200, input: Gen.int(in: 0...5), Gen.int(in: 0...4), Gen<Bool>.bool) { typePick, methodPick, voice in
            let type = types[typePick], method = methods[methodPick]
            var attributes = ["userId": newUserId()]
            if let method { attributes["InitiationMethod"] = method }
            let contact = ContactRecord(id: "c1", channel: voice ? "VOICE" : "CHAT", initiationMethod: "API", attributes: attributes,
                                        customerName: "C", initiatedAt: 0)
            let event = ContactEvent(id: UUID().uuidString, eventType: type, contactId: "c1", channel: contact.channel)
            let pushes = EventRules.pushes(for: event, contact: contact)
            let escalations = pushes.filter { $0.payload.contains(#""type":"enable_escalation""#) }
            let expected = type.uppercased() == "CONNECTED_TO_AGENT" && method == "Chat"
            #expect(escalations.count == (expected ? 1 : 0), "\(type) \(method ?? "nil")")
            #expect(escalations.allSatisfy { $0.userId == attributes["userId"] })
            // An unknown contact never causes a push.
            #expect(EventRules.pushes(for: event, contact: nil).isEmpty)
        }
    }

    @Test("Property 7: lookup by userId finds every live connection, on any node")
    func property7LookupFindsEveryLiveConnection() async throws {
        let deployment = try await TestDeployment()
        let nodes = [try await deployment.start(), try await deployment.start()]
        let redis = try await TestRedis.client()
        // Each case: sockets for 1-3 users spread over both nodes; some close again.
        let plan = Gen<Int>.int(in: 0...5).array(of: 1...6)
        await propertyCheck(count: 100, input: plan) { choices in
            let users = (0..<3).map { _ in newUserId() }
            var live: [String: Set<String>] = [:]
            var sockets: [(TestSocket, String, String)] = []
            for choice in choices {
                let user = users[choice % 3]
                let node = nodes[choice % 2]
                let socket = try await TestSocket.connect(node.wsURL + "/ws")
                socket.send(["action": "register", "userId": user])
                let registered = try await socket.next(type: "registered")
                let id = try #require(registered["connectionId"] as? String)
                #expect(registered["node"] as? String == node.nodeId)
                sockets.append((socket, user, id))
                live[user, default: []].insert(id)
            }
            for (index, (socket, user, id)) in sockets.enumerated() where choices[index] >= 4 {
                socket.close()
                _ = try await socket.waitForClose()
                live[user]?.remove(id)
            }
            try await Task.sleep(for: .milliseconds(30))  // the server removes a closed socket's record after the close handshake
            for user in users {
                let found = Set(try await redis.smembers("\(deployment.prefix):{rt}:user:\(user):conns"))
                #expect(found == live[user, default: []], "user \(user)")
                for id in found {
                    let node = try await redis.hget("\(deployment.prefix):{rt}:conn:\(id)", "node")
                    #expect(node != nil)
                }
            }
            for (socket, _, _) in sockets { socket.close() }
        }
    }
}
