import Foundation
import RedisClient
@testable import Switchboard
import SwitchboardCore
import ContactEngine
import Testing
import TestSupport

@Suite("Real-time hub across real server nodes", .timeLimit(.minutes(2)))
struct HubTests {
    @Test("a socket on node B gets enable_escalation for an event ingested on node A; Voice gets none")
    func crossNodeEscalation() async throws {
        let deployment = try await TestDeployment()
        let a = try await deployment.start()
        let b = try await deployment.start()
        let user = newUserId()
        let chat = try await a.startChat(userId: user)
        let socket = try await b.register(user)
        let (status, body) = try await a.bridge(contactEvent("CONNECTED_TO_AGENT", contactId: chat))
        #expect(status == 202 && body?["accepted"] as? Int == 1)
        let connected = try await socket.next(type: "agent_connected")
        #expect(connected["contactId"] as? String == chat)
        let escalation = try await socket.next(type: "enable_escalation")
        #expect(escalation["contactId"] as? String == chat && escalation["userId"] as? String == user)
        #expect((escalation["eventId"] as? String).map { !$0.isEmpty } == true)

        // A voice contact started as Voice: agent_connected, but never enable_escalation.
        let voice = try await a.startVoice(userId: user)
        try await a.bridge(contactEvent("CONNECTED_TO_AGENT", contactId: voice, channel: "VOICE"))
        #expect(try await socket.next(type: "agent_connected")["contactId"] as? String == voice)
        #expect(await socket.expectNone(type: "enable_escalation"))

        try await a.bridge(contactEvent("DISCONNECTED", contactId: voice, channel: "VOICE"))
        let ended = try await socket.next(type: "contact_ended")
        #expect(ended["contactId"] as? String == voice && ended["channel"] as? String == "VOICE")
    }

    @Test("a duplicated event id gives one push")
    func duplicateEventId() async throws {
        let deployment = try await TestDeployment()
        let node = try await deployment.start()
        let user = newUserId()
        let chat = try await node.startChat(userId: user)
        let socket = try await node.register(user)
        let event = contactEvent("CONNECTED_TO_AGENT", contactId: chat)
        try await node.bridge([event, event])
        try await node.bridge(event)
        _ = try await socket.next(type: "enable_escalation")
        #expect(await socket.expectNone(type: "enable_escalation", within: .milliseconds(800)))
    }

    @Test("registered carries the replay position, so a client that has seen no push resumes from it and misses nothing")
    func registeredCarriesReplayPosition() async throws {
        let deployment = try await TestDeployment()
        let node = try await deployment.start()
        let user = newUserId()
        let chat = try await node.startChat(userId: user)
        let first = try await TestSocket.connect(node.wsURL + "/ws")
        first.send(registerFrame(user))
        let position = try #require(try await first.next(type: "registered")["lastEventId"] as? String)
        #expect(position == "0-0")
        first.close()
        _ = try await first.waitForClose()

        // A push made while the client is away, then it comes back with the position it was given.
        let watcher = try await node.register(user)  // another socket of the user, to know the push was made
        try await node.bridge(contactEvent("CONNECTED_TO_AGENT", contactId: chat))
        let pushed = try await watcher.next(type: "agent_connected")
        let again = try await TestSocket.connect(node.wsURL + "/ws")
        again.send(registerFrame(user, lastEventId: position))
        let registered = try await again.next(type: "registered")
        let replayed = try await again.next(type: "agent_connected")
        #expect(replayed["eventId"] as? String == pushed["eventId"] as? String)
        // The position moved on: a new socket is told the latest push's id.
        let escalation = try await watcher.next(type: "enable_escalation")
        #expect([pushed["eventId"] as? String, escalation["eventId"] as? String].contains(registered["lastEventId"] as? String))
        let later = try await node.register(user)
        #expect(later.frames.first?["lastEventId"] as? String == escalation["eventId"] as? String)
    }

    @Test("the node's pub/sub connection killed: pushes made meanwhile still reach the socket, each once, in order")
    func pubsubConnectionKilled() async throws {
        let redis = try await RedisServer()  // its own: CLIENT KILL TYPE pubsub would reach every test's nodes
        let deployment = try await TestDeployment(redisURL: redis.url)
        let node = try await deployment.start()
        let user = newUserId()
        var chats: [String] = []
        for _ in 0..<6 { chats.append(try await node.startChat(userId: user)) }
        let socket = try await node.register(user)
        let admin = RedisClient(configuration: redis.configuration())
        #expect(try await admin.send("CLIENT", "KILL", "TYPE", "pubsub").int ?? 0 >= 1)
        // Pushes while the node resubscribes (its first attempt waits 50 ms): published to nobody.
        for chat in chats { try await node.bridge(contactEvent("CONNECTED_TO_AGENT", contactId: chat)) }
        try await socket.waitUntil("received every push") { frames in
            Set(frames.compactMap(HubPropertyTests.pushKey)) == Set(chats.flatMap { ["agent_connected \($0)", "enable_escalation \($0)"] })
        }
        let ids = socket.frames.compactMap { $0["eventId"] as? String }
        #expect(ids.count == Set(ids).count, "a push was sent twice: \(ids)")
        #expect(ids == ids.sorted { StreamIDOrder.less($0, $1) }, "out of order: \(ids)")
        #expect(node.log.contains("subscription lost"))
        await admin.close()
        node.stop()
    }

    @Test("a node whose socket records were purged (its liveness lapsed) registers its sockets again, and pushes reach them")
    func lostRecordsAreRegisteredAgain() async throws {
        let deployment = try await TestDeployment(["realtime": ["sweepIntervalSeconds": 0.2, "nodeTtlSeconds": 1]])
        let node = try await deployment.start()
        let user = newUserId()
        let chat = try await node.startChat(userId: user)
        let socket = try await TestSocket.connect(node.wsURL + "/ws")
        socket.send(registerFrame(user))
        let connection = try #require(try await socket.next(type: "registered")["connectionId"] as? String)
        let redis = try await TestRedis.client()
        // What the survivors do to a node they take for dead: its liveness key is gone and its records purged.
        #expect(try await redis.userSockets(prefix: deployment.prefix, user) == [connection: node.nodeId])
        let purged = try await redis.del(["\(deployment.prefix):{n:\(node.nodeId)}:alive", "\(deployment.prefix):{n:\(node.nodeId)}:conns",
                                          "\(deployment.prefix):{u:\(user)}:conns"])
        #expect(purged == 3)
        let deadline = ContinuousClock.now + .seconds(5)
        while try await redis.userSockets(prefix: deployment.prefix, user).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await redis.userSockets(prefix: deployment.prefix, user) == [connection: node.nodeId])
        #expect(try await redis.nodeSockets(prefix: deployment.prefix, node.nodeId) == ["\(connection)@\(user)"])
        try await node.bridge(contactEvent("CONNECTED_TO_AGENT", contactId: chat))
        _ = try await socket.next(type: "agent_connected")
        #expect(node.log.contains("registered again"))
    }

    @Test("consumers with nothing pending that stopped reading are removed from the group; the node's own stays")
    func idleConsumersAreRemoved() async throws {
        let deployment = try await TestDeployment(["events": ["claimIdleMs": 200, "removeIdleConsumersAfterMs": 300]])
        let node = try await deployment.start()
        let redis = try await TestRedis.client()
        // A node that joined the group and went away for good. (Created: the reply says so. Whether it is still listed a
        // moment later depends on how long that moment is: past removeIdleConsumersAfterMs the node removes it.)
        #expect(try await redis.send("XGROUP", "CREATECONSUMER", deployment.stream, "processors", "gone-node").int == 1)
        func consumers() async throws -> [String] {
            try await redis.send("XINFO", "CONSUMERS", deployment.stream, "processors").array?.compactMap { $0.array?[1].string } ?? []
        }
        // The node's own consumer exists once it has read something: the engine's events of a new chat.
        _ = try await node.startChat(userId: newUserId())
        let deadline = ContinuousClock.now + .seconds(10)
        while try await !consumers().contains(node.nodeId), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        while try await consumers().contains("gone-node"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try await consumers() == [node.nodeId])
    }

    @Test("register with lastEventId replays exactly the missed pushes, in order, before live ones")
    func replayAfterReconnect() async throws {
        let deployment = try await TestDeployment()
        let node = try await deployment.start()
        let user = newUserId()
        var chats: [String] = []
        for _ in 0..<5 { chats.append(try await node.startChat(userId: user)) }
        let first = try await node.register(user)
        try await node.bridge(contactEvent("CONNECTED_TO_AGENT", contactId: chats[0]))
        _ = try await first.next(type: "agent_connected")
        let last = try await first.next(type: "enable_escalation")
        let lastEventId = try #require(last["eventId"] as? String)
        first.close()
        _ = try await first.waitForClose()

        // Missed while away: 4 contacts × (agent_connected + enable_escalation).
        try await node.bridge(chats[1...].map { contactEvent("CONNECTED_TO_AGENT", contactId: $0) })
        // Made while away: wait until the user's replay log holds all ten pushes.
        let redis = try await TestRedis.client()
        let replayLog = "\(deployment.prefix):{u:\(user)}:replay"
        let deadline = ContinuousClock.now + .seconds(10)
        while try await redis.send("XLEN", replayLog).int ?? 0 < 10, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let again = try await node.register(user, lastEventId: lastEventId)
        var replayed: [(String, String)] = []
        for _ in 0..<8 {
            let frame = try await again.next()
            replayed.append((frame["type"] as! String, frame["contactId"] as! String))
        }
        let expected = chats[1...].flatMap { [("agent_connected", $0), ("enable_escalation", $0)] }
        #expect(Set(replayed.map { "\($0.0)/\($0.1)" }) == Set(expected.map { "\($0.0)/\($0.1)" }))
        // In order per contact (events were processed in stream order).
        let order = replayed.map(\.1)
        #expect(order.enumerated().allSatisfy { i, id in i == 0 || chats.firstIndex(of: order[i - 1])! <= chats.firstIndex(of: id)! })
        #expect(await again.expectNone(type: "enable_escalation"))
        // Live pushes continue after the replay.
        try await node.bridge(contactEvent("DISCONNECTED", contactId: chats[4]))
        #expect(try await again.next(type: "contact_ended")["contactId"] as? String == chats[4])
    }

    @Test("a node killed with events pending: another node finishes them, none lost, none pushed twice; its sockets are purged")
    func killedNodeWorkIsFinished() async throws {
        let deployment = try await TestDeployment([
            "events": ["claimIdleMs": 600], "realtime": ["nodeTtlSeconds": 2, "sweepIntervalSeconds": 0.5],
        ])
        let doomed = try await deployment.start()
        let survivor = try await deployment.start()
        let redis = try await TestRedis.client()
        let users = (0..<20).map { _ in newUserId() }
        var contacts: [String] = []
        for user in users { contacts.append(try await survivor.startChat(userId: user)) }
        var sockets: [TestSocket] = []
        for user in users { sockets.append(try await survivor.register(user)) }
        let doomedSocket = try await doomed.register(users[0])
        #expect(try await redis.nodeSockets(prefix: deployment.prefix, doomed.nodeId).count == 1)

        // Freeze the doomed node, then hand its consumer the events as if it had read them (XADDs and its XREADGROUP in
        // one transaction, so the survivor's blocked read cannot take any first), then kill it before any XACK.
        kill(doomed.pid!, SIGSTOP)
        var transaction = [RedisCommand("MULTI")]
        for contact in contacts {
            let event = String(decoding: try JSONSerialization.data(withJSONObject: contactEvent("CONNECTED_TO_AGENT", contactId: contact)), as: UTF8.self)
            transaction.append(RedisCommand("XADD", deployment.stream, "*", "event", event))
        }
        transaction += [RedisCommand("XREADGROUP", "GROUP", "processors", doomed.nodeId, "COUNT", "100", "STREAMS", deployment.stream, ">"),
                        RedisCommand("EXEC")]
        let replies = try await redis.pipeline(transaction)
        let taken = replies.last?.array?.last?.array?.first?.array?[1].array ?? []
        #expect(taken.count == 20)
        doomed.stop(signal: SIGKILL)
        _ = doomedSocket

        for (index, socket) in sockets.enumerated() {
            let push = try await socket.next(type: "enable_escalation", timeout: .seconds(10))
            #expect(push["contactId"] as? String == contacts[index])
        }
        for socket in sockets { #expect(await socket.expectNone(type: "enable_escalation", within: .milliseconds(100))) }
        #expect(try await redis.xpending(deployment.stream, group: "processors", count: 100).isEmpty)

        // The dead node's socket records go once its liveness key expires.
        var purged = false
        for _ in 0..<100 where !purged {
            let nodeConns = try await redis.nodeSockets(prefix: deployment.prefix, doomed.nodeId)
            let nodes = try await redis.smembers("\(deployment.prefix):{rt}:nodes")
            purged = nodeConns.isEmpty && !nodes.contains(doomed.nodeId)
            if !purged { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(purged)
        #expect(try await redis.userSockets(prefix: deployment.prefix, users[0]).count == 1)
    }

    @Test("a poison event lands in the dead-letter stream after maxDeliveries, with the error")
    func poisonEventDeadLettered() async throws {
        let deployment = try await TestDeployment(["events": ["claimIdleMs": 200, "maxDeliveries": 3]])
        let node = try await deployment.start()
        let redis = try await TestRedis.client()
        let poisonId = try await redis.xadd(deployment.stream, fields: [("event", #"{"id":"p1","detail-type":"nope"}"#)])
        var dead: [RedisStreamEntry] = []
        for _ in 0..<100 where dead.isEmpty {
            dead = try await redis.xrange(deployment.stream + ":dlq")
            if dead.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        let entry = try #require(dead.first)
        #expect(entry.fields["sourceId"] == poisonId)
        #expect(entry.fields["deliveries"] == "3")
        #expect(entry.fields["error"]?.contains("not an Amazon Connect contact event") == true)
        #expect(try await redis.xpending(deployment.stream, group: "processors", count: 10).isEmpty)
        _ = node
    }

    @Test("SIGTERM: customer and agent sockets close with 1012, the node's records are removed, exit status 0")
    func sigtermDrains() async throws {
        let deployment = try await TestDeployment()
        let node = try await deployment.start()
        let redis = try await TestRedis.client()
        let user = newUserId()
        let socket = try await node.register(user)
        #expect(try await redis.userSockets(prefix: deployment.prefix, user).count == 1)
        // An agent's socket restarts the same way.
        let (_, login) = try await HTTP.request("POST", node.url + "/agent/api/login", json: ["username": "agent1", "password": "local-demo-password"])
        let agent = try await TestSocket.connect(node.wsURL + "/agent/ws")
        agent.send(["action": "auth", "token": try #require(login?["token"] as? String)])
        _ = try await agent.next(type: "authenticated")
        let status = node.stop(signal: SIGTERM)
        #expect(try await socket.waitForClose() == 1012)
        #expect(try await agent.waitForClose() == 1012)
        #expect(status == 0)
        #expect(try await redis.userSockets(prefix: deployment.prefix, user).isEmpty)
        #expect(try await redis.nodeSockets(prefix: deployment.prefix, node.nodeId).isEmpty)
    }
}
