import Foundation
import PropertyBased
import RedisClient
@testable import Switchboard
import SwitchboardCore
import ContactEngine
import Testing
import TestSupport

/// Design Property 8 (multi-modal infrastructure reuse): chat-only, voice+chat and chat→voice→chat differ only in their
/// mode-specific attributes; they share one customer socket, one set of origin, size and rate checks, and one event
/// stream with one consumer group.
@Suite("Design property 8: every mode runs on the same infrastructure", .serialized, .timeLimit(.minutes(4)))
struct ModeReusePropertyTests {
    enum Mode: CaseIterable, Sendable { case chatOnly, voiceChat, escalation }

    /// What one contact of a mode should look like.
    struct Started {
        let id: String
        let channel: String
        let attributes: [String: String]
    }

    static let rateLimit = 1000  // starts per minute per client; the test fills the budget itself
    static let maxBody = 2048

    @Test("Property 8: for random sequences of modes, one socket, the same checks, one stream and consumer; only mode attributes differ")
    func property8MultiModalInfrastructureReuse() async throws {
        let deployment = try await TestDeployment(["security": ["rateLimits": ["startContactPerMinutePerIp": Self.rateLimit],
                                                                "maxBodyBytes": Self.maxBody]])
        let nodes = [try await deployment.start(), try await deployment.start()]
        let redis = try await TestRedis.client()
        let ratePattern = "\(deployment.prefix):rate:start-contact:*"
        await propertyCheck(count: 100, input: Gen.int(in: 0...2).array(of: 1...3), Gen.int(in: 0...1)) { picks, home in
            // Each case starts with a full rate budget (the window is a minute; a hundred cases share one).
            let spent = try await redis.send("KEYS", ratePattern).array?.compactMap(\.string) ?? []
            if !spent.isEmpty { _ = try await redis.del(spent) }
            let user = newUserId()
            let socket = try await nodes[home].register(user)
            defer { socket.close() }
            let connectionId = try #require(socket.frames.first?["connectionId"] as? String)
            let streamStart = try await redis.send("XREVRANGE", deployment.stream, "+", "-", "COUNT", "1").array?.first?.array?.first?.string ?? "0-0"

            var started: [Started] = []
            var starts = 0
            for (index, mode) in picks.map({ Mode.allCases[$0] }).enumerated() {
                let node = nodes[(home + index) % 2]
                // The same origin and size checks guard every mode's entry point, before anything is created.
                for kind in ["chat", "voice"] {
                    let path = node.url + "/start-\(kind)-contact"
                    let (foreign, foreignBody) = try await HTTP.request("POST", path, json: ["userId": user], headers: ["Origin": "http://evil.example"])
                    #expect(foreign == 403 && Self.code(foreignBody) == "UNAUTHORIZED", "\(kind): \(foreign)")
                    let big = ["userId": user, "customerName": String(repeating: "x", count: Self.maxBody)]
                    let (tooLarge, tooLargeBody) = try await HTTP.request("POST", path, json: big, headers: ["Origin": "http://allowed.example"])
                    #expect(tooLarge == 413 && Self.code(tooLargeBody) == "PAYLOAD_TOO_LARGE", "\(kind): \(tooLarge)")
                }
                switch mode {
                case .chatOnly:
                    let chat = try await node.startContact("chat", ["userId": user])
                    started.append(Started(id: chat["contactId"] as! String, channel: "CHAT",
                                           attributes: ["userId": user, "InitiationMethod": "Chat", "interactionMode": "chat-only"]))
                    starts += 1
                case .voiceChat:
                    let voice = try await node.startContact("voice", ["userId": user, "initiationMethod": "Voice"])
                    started.append(Started(id: voice["contactId"] as! String, channel: "VOICE",
                                           attributes: ["userId": user, "InitiationMethod": "Voice", "interactionMode": "voice-chat"]))
                    starts += 1
                case .escalation:
                    let chat = try await node.startContact("chat", ["userId": user])["contactId"] as! String
                    let voice = try await nodes[1 - (home + index) % 2].startContact("voice", ["userId": user, "relatedContactId": chat,
                                                                                            "initiationMethod": "Chat"])
                    let voiceId = voice["contactId"] as! String
                    started.append(Started(id: chat, channel: "CHAT",
                                           attributes: ["userId": user, "InitiationMethod": "Chat", "interactionMode": "chat-only"]))
                    started.append(Started(id: voiceId, channel: "VOICE",
                                           attributes: ["userId": user, "InitiationMethod": "Chat", "interactionMode": "escalated",
                                                        "relatedContactId": chat]))
                    starts += 2
                    // …→ chat: the customer leaves the call ("Continue in chat"); the chat goes on.
                    try await Self.disconnectCustomer(node: node, participantToken: voice["participantToken"] as! String)
                    try await socket.waitFor(type: "contact_ended", contactId: voiceId)
                    let chatRecord = try #require(ContactRecord(hash: try await redis.hgetall(RedisKeys(prefix: deployment.prefix).contact(chat))))
                    #expect(!chatRecord.isEnded, "the chat must go on after the call of an escalation ends")
                }
            }

            // Only the mode-specific attributes differ.
            for contact in started {
                let record = try #require(ContactRecord(hash: try await redis.hgetall(RedisKeys(prefix: deployment.prefix).contact(contact.id))))
                #expect(record.attributes == contact.attributes)
                #expect(record.channel == contact.channel)
            }

            // One stream: the engine's INITIATED of every contact of every mode is in it.
            let initiated = Set(try await redis.xrange(deployment.stream, start: "(" + streamStart, end: "+").compactMap { entry -> String? in
                guard let text = entry.fields["event"], let event = try? ContactEvent.parse(text), event.eventType == "INITIATED" else { return nil }
                return event.contactId
            })
            #expect(Set(started.map(\.id)).isSubset(of: initiated))

            // One consumer group, one socket: every mode's pushes reach the same connection, whichever node ingests them.
            try await nodes[1 - home].bridge(started.map { contactEvent("CONNECTED_TO_AGENT", contactId: $0.id, channel: $0.channel) })
            var expected = Set(started.map { "agent_connected \($0.id)" })
            expected.formUnion(started.filter { $0.attributes["InitiationMethod"] == "Chat" }.map { "enable_escalation \($0.id)" })
            try await socket.waitUntil("received every mode's pushes") { expected.isSubset(of: Set($0.compactMap(HubPropertyTests.pushKey))) }
            #expect(socket.frames.filter { $0["type"] as? String == "registered" }.map { $0["connectionId"] as? String } == [connectionId])
            let consumers = try await redis.send("XINFO", "CONSUMERS", deployment.stream, "processors").array?.compactMap { consumer in
                consumer.array.flatMap { fields in zip(fields, fields.dropFirst()).first { $0.0.string == "name" }?.1.string }
            } ?? []
            #expect(Set(consumers).isSubset(of: Set(nodes.map(\.nodeId))), "consumers: \(consumers)")

            // One rate budget for every mode: every start of every mode counted in it, and once it is spent (filled here,
            // in this window and the next, so a minute boundary cannot reset it) either kind of start is refused.
            let counters = try await redis.send("KEYS", ratePattern).array?.compactMap(\.string) ?? []
            var counted = 0
            for key in counters { counted += Int(try await redis.get(key) ?? "0") ?? 0 }
            #expect(counted == starts, "rate counters \(counters) hold \(counted), \(starts) starts were made")
            let perClient = try #require(counters.first.map { $0.split(separator: ":").dropLast().joined(separator: ":") })
            let window = Int(Date().timeIntervalSince1970) / 60
            for w in [window, window + 1] { try await redis.set("\(perClient):\(w)", .string(String(Self.rateLimit))) }
            let kind = ["chat", "voice"][(starts + home) % 2]
            let (refused, refusedBody) = try await HTTP.request("POST", nodes[home].url + "/start-\(kind)-contact", json: ["userId": newUserId()])
            #expect(refused == 429 && Self.code(refusedBody) == "RATE_LIMITED", "\(kind): \(refused)")
        }
    }

    static func code(_ body: [String: Any]?) -> String? {
        (body?["error"] as? [String: Any])?["code"] as? String
    }

    /// The customer leaves a contact through the Participant Service, as the widget's "Continue in chat" does.
    static func disconnectCustomer(node: TestNode, participantToken: String) async throws {
        let base = node.url + "/connect/participant"
        let (status, connection) = try await HTTP.request("POST", "\(base)/connection", json: ["Type": ["CONNECTION_CREDENTIALS"]],
                                                          headers: ["X-Amz-Bearer": participantToken])
        let token = try #require((connection?["ConnectionCredentials"] as? [String: Any])?["ConnectionToken"] as? String, "connection: \(status)")
        let (disconnected, _) = try await HTTP.request("POST", "\(base)/disconnect", json: [String: Any](), headers: ["X-Amz-Bearer": token])
        #expect(disconnected == 200)
    }
}
