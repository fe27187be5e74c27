import Foundation
import RedisClient
import SwitchboardCore
import Testing
import TestSupport

/// The one socket hub: engine frames are published only to the nodes that hold a socket of their topic.
@Suite("Frames go only to the nodes that hold their topic", .timeLimit(.minutes(1)),
       .enabled(if: EngineCluster.available, "build the server first (.build/debug/switchboard)"))
struct HubTopicTests {
    @Test("an agent's sockets register their nodes under the topic; a frame reaches them and no other node; closing leaves")
    func framesGoOnlyWhereTheTopicIs() async throws {
        let deployment = try await TestDeployment()
        let a = try await deployment.start(), b = try await deployment.start()
        let redis = RedisClient(configuration: try RedisConfiguration(url: (deployment.config["redis"] as! [String: Any])["url"] as! String))
        let scripts = try ScriptCatalog.read(directory: TestDeployment.repository + "/lua")
        let registry = "\(deployment.prefix):{agent:agent1}:nodes"
        /// Publishes a probe frame to agent1's topic as the engine does; returns how many nodes it was published to.
        func probe(_ name: String) async throws -> Int? {
            let message = TopicMessage(topic: "agent:agent1", text: Wire.encode(TypeFrame(name)), close: nil, exceptNode: nil, exceptConnection: nil)
            return try await redis.evalScript(scripts[.hubPublish], keys: [registry],
                                              args: [.string("\(deployment.prefix):{rt}:node:"), .string(Wire.encode(message)), "PUBLISH"]).int
        }
        func waitForRegistry(_ expected: [String: String]) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while try await redis.hgetall(registry) != expected {
                guard ContinuousClock.now < deadline else { throw TestClientError("registry is \(try await redis.hgetall(registry)), not \(expected)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        #expect(try await probe("nobody") == 0)  // no socket of the topic anywhere: published to no node
        let onA = try await TestAgent.login(a, username: "agent1", password: "local-demo-password", available: false)
        try await waitForRegistry([a.nodeId: "1"])
        #expect(try await probe("first") == 1)
        _ = try await onA.socket.waitFor(type: "first")

        let onB = try await TestAgent.login(b, username: "agent1", password: "local-demo-password", available: false)
        try await waitForRegistry([a.nodeId: "1", b.nodeId: "1"])
        #expect(try await probe("second") == 2)
        _ = try await onA.socket.waitFor(type: "second")
        _ = try await onB.socket.waitFor(type: "second")

        onA.socket.close()
        try await waitForRegistry([b.nodeId: "1"])
        #expect(try await probe("third") == 1)
        _ = try await onB.socket.waitFor(type: "third")
        onB.socket.close()
        try await waitForRegistry([:])
        await redis.close()
    }
}
