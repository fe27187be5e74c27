import Foundation
import PropertyBased
import RedisClient
@testable import Switchboard
@testable import SwitchboardCore
import ContactEngine
import Testing
import TestSupport

/// The design's properties 1, 2, 3 and 7, each checked on at least 100 generated cases through real nodes (3 on the rules).
@Suite("Design properties of the real-time core", .serialized, .timeLimit(.minutes(3)))
struct HubPropertyTests {
    enum Step: CaseIterable, Sendable { case chat, voice, escalate }

    @Test("Property 1: userId consistency: every contact of a session carries its userId, and every push about them reaches its socket")
    func property1UserIdConsistency() async throws {
        let deployment = try await TestDeployment()
        let nodes = [try await deployment.start(), try await deployment.start()]
        let redis = try await TestRedis.client()
        await propertyCheck(count: 100, input: Gen.int(in: 0...2).array(of: 1...4), Gen.int(in: 0...1)) { picks, home in
            let user = newUserId()
            let socket = try await nodes[home].register(user)
            defer { socket.close() }
            // (contact, channel, started from a chat: chat contacts and escalations)
            var contacts: [(id: String, channel: String, fromChat: Bool)] = []
            var lastChat: String?
            for (index, step) in picks.map({ Step.allCases[$0] }).enumerated() {
                let node = nodes[index % 2]
                switch step {
                case .chat:
                    let id = try await node.startChat(userId: user)
                    lastChat = id
                    contacts.append((id, "CHAT", true))
                case .voice:
                    contacts.append((try await node.startVoice(userId: user), "VOICE", false))
                case .escalate:
                    guard let chat = lastChat else { continue }
                    contacts.append((try await node.startVoice(userId: user, related: chat), "VOICE", true))
                }
            }
            for contact in contacts {
                let record = try #require(ContactRecord(hash: try await redis.hgetall(RedisKeys(prefix: deployment.prefix).contact(contact.id))))
                #expect(record.userId == user)
                if let related = record.relatedContactId {
                    let parent = ContactRecord(hash: try await redis.hgetall(RedisKeys(prefix: deployment.prefix).contact(related)))
                    #expect(parent?.userId == user)
                }
            }
            // Every push about these contacts, made on either node, reaches this session's socket, and names its user.
            let events = contacts.map { contactEvent("CONNECTED_TO_AGENT", contactId: $0.id, channel: $0.channel) }
            try await nodes[1 - home].bridge(events)
            var expected = Set(contacts.map { "agent_connected \($0.id)" })
            expected.formUnion(contacts.filter(\.fromChat).map { "enable_escalation \($0.id)" })
            try await socket.waitUntil("received every push of \(expected)") { expected.isSubset(of: Set($0.compactMap(Self.pushKey))) }
            for frame in socket.frames where frame["type"] as? String == "enable_escalation" {
                #expect(frame["userId"] as? String == user)
            }
        }
    }

    /// `"<type> <contactId>"` of a push frame, nil for other frames.
    static func pushKey(_ frame: [String: Any]) -> String? {
        guard frame["eventId"] != nil, let type = frame["type"] as? String, let contact = frame["contactId"] as? String else { return nil }
        return "\(type) \(contact)"
    }

    @Test("Property 2: InitiationMethod attribute correctness: Chat for chats and escalations, the given method or Voice for calls")
    func property2InitiationMethod() async throws {
        let deployment = try await TestDeployment()
        let node = try await deployment.start()
        let redis = try await TestRedis.client()
        let methods: [String?] = [nil, "Chat", "Voice", "Email", ""]
        // kind: 0 chat, 1 voice, 2 voice escalated from a chat of the same user.
        await propertyCheck(count: 100, input: Gen.int(in: 0...2), Gen.int(in: 0...4)) { kind, pick in
            let method = methods[pick]
            let user = newUserId()
            var json: [String: Any] = ["userId": user]
            if let method { json["initiationMethod"] = method }
            if kind == 2 { json["relatedContactId"] = try await node.startChat(userId: user) }
            let (status, body) = try await HTTP.request("POST", node.url + (kind == 0 ? "/start-chat-contact" : "/start-voice-contact"), json: json)
            let valid = kind == 0 ? [nil, "Chat"].contains(method) : [nil, "Chat", "Voice"].contains(method)
            #expect(status == (valid ? 200 : 400), "kind=\(kind) method=\(method ?? "nil")")
            guard valid, let id = body?["contactId"] as? String else { return }
            let record = try #require(ContactRecord(hash: try await redis.hgetall(RedisKeys(prefix: deployment.prefix).contact(id))))
            let expected = switch kind {
            case 0: ("Chat", "chat-only")
            case 1: (method ?? "Voice", "voice-chat")
            default: ("Chat", "escalated")
            }
            #expect(record.attributes["InitiationMethod"] == expected.0, "kind=\(kind) method=\(method ?? "nil")")
            #expect(record.attributes["interactionMode"] == expected.1)
            #expect(record.attributes["relatedContactId"] == json["relatedContactId"] as? String)
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
            let escalations = pushes.filter { $0.push.type == "enable_escalation" }
            let expected = type.uppercased() == "CONNECTED_TO_AGENT" && method == "Chat"
            #expect(escalations.count == (expected ? 1 : 0), "\(type) \(method ?? "nil")")
            #expect(escalations.allSatisfy { $0.userId == attributes["userId"] })
            // An unknown contact never causes a push.
            #expect(EventRules.pushes(for: event, contact: nil).isEmpty)
        }
    }

    @Test("Property 7: lookup by userId finds every live connection, on any node, and a push reaches each of them")
    func property7LookupFindsEveryLiveConnection() async throws {
        let deployment = try await TestDeployment()
        let nodes = [try await deployment.start(), try await deployment.start()]
        let redis = try await TestRedis.client()
        // Each case: sockets for 1-3 users spread over both nodes; the ones picked with 4 or 5 close again.
        let plan = Gen<Int>.int(in: 0...5).array(of: 1...6)
        await propertyCheck(count: 100, input: plan) { choices in
            let users = (0..<3).map { _ in newUserId() }
            var live: [String: [String: TestSocket]] = [:]
            var sockets: [TestSocket] = []
            defer { for socket in sockets { socket.close() } }
            for choice in choices {
                let user = users[choice % 3]
                let node = nodes[choice % 2]
                let socket = try await TestSocket.connect(node.wsURL + "/ws")
                sockets.append(socket)
                socket.send(registerFrame(user))
                let registered = try await socket.next(type: "registered")
                let id = try #require(registered["connectionId"] as? String)
                #expect(registered["node"] as? String == node.nodeId)
                if choice >= 4 {
                    socket.close()
                    _ = try await socket.waitForClose()
                } else {
                    live[user, default: [:]][id] = socket
                }
            }
            for user in users {
                let expected = Set(live[user, default: [:]].keys)
                // A closed socket's record goes once the server has seen the close: wait for that, however long it takes.
                var found: Set<String> = []
                let deadline = ContinuousClock.now + .seconds(5)
                repeat {
                    found = Set(try await redis.userSockets(prefix: deployment.prefix, user).keys)
                    if found == expected { break }
                    try await Task.sleep(for: .milliseconds(5))
                } while ContinuousClock.now < deadline
                #expect(found == expected, "user \(user)")
                for (_, node) in try await redis.userSockets(prefix: deployment.prefix, user) { #expect(!node.isEmpty) }
                // The lookup is what delivery uses: a push for the user reaches every live socket, whichever node holds it.
                guard !expected.isEmpty else { continue }
                let chat = try await nodes[0].startChat(userId: user)
                try await nodes[1].bridge(contactEvent("CONNECTED_TO_AGENT", contactId: chat))
                for socket in live[user, default: [:]].values {
                    try await socket.waitFor(type: "agent_connected", contactId: chat)
                }
            }
        }
    }
}
