import Foundation
import RedisClient
import Testing
import TestSupport

/// A node may start before Redis (a machine booting, a container started first): it must wait, not exit.
@Suite(.timeLimit(.minutes(2)), .enabled(if: EngineCluster.available, "build the server first (.build/debug/switchboard)"))
struct NodeStartupTests {
    @Test("a node started while Redis is down answers 503, then registers its agents and routes once Redis is up")
    func nodeStartedBeforeRedis() async throws {
        let redis = try await RedisServer()
        redis.stop()
        let deployment = try await TestDeployment(redisURL: redis.url, [
            "local": ["agents": [["username": "a1", "password": "pw", "displayName": "A1"]]],
            "routing": ["tickIntervalMs": 100],
        ])
        // Redis comes up only after the node has been answering 503 for a while; start() waits for 200.
        let redisStarted = Task {
            try await Task.sleep(for: .seconds(3))
            try await redis.start()
        }
        let node = try await deployment.start()
        defer { node.stop() }
        try await redisStarted.value
        #expect(node.log.contains("cannot register the configured agents yet"))

        let agent = try await TestAgent.login(node, username: "a1", password: "pw", available: true)
        let chat = try await node.startContact("chat", ["userId": newUserId()])
        let contactId = try #require(chat["contactId"] as? String)
        try await agent.socket.waitFor(type: "offer", contactId: contactId, timeout: .seconds(5))
        redis.stop()
    }
}
