import Foundation
import Testing
import TestSupport

@Suite("Engine sockets must say who they are", .timeLimit(.minutes(1)), .enabled(if: EngineCluster.available, "build the server first (.build/debug/switchboard)"))
struct SocketAuthTests {
    @Test("an agent or signaling socket that does not authenticate in time is closed with 1008")
    func unauthenticatedSocketsAreClosed() async throws {
        let deployment = try await TestDeployment(["security": ["socketAuthTimeoutSeconds": 1]])
        let node = try await deployment.start()
        let agent = try await TestSocket.connect(node.wsURL + "/agent/ws")
        let signaling = try await TestSocket.connect(node.wsURL + "/signaling/some-meeting")
        #expect(try await agent.waitForClose(timeout: .seconds(5)) == 1008)
        #expect(try await signaling.waitForClose(timeout: .seconds(5)) == 1008)
        // One that does authenticate stays open past the timeout.
        let kept = try await TestAgent.login(node, username: "agent1", password: "local-demo-password", available: false)
        kept.socket.send(["action": "ping"])
        try await Task.sleep(for: .milliseconds(1500))
        #expect(kept.socket.closeCode == nil)
    }

    @Test("logging out closes the agent's sockets, on every node")
    func logoutClosesSockets() async throws {
        let deployment = try await TestDeployment()
        let a = try await deployment.start(), b = try await deployment.start()
        let (status, json) = try await HTTP.request("POST", a.url + "/agent/api/login", json: ["username": "agent2", "password": "local-demo-password"])
        let token = try #require(json?["token"] as? String, "login: \(status)")
        var sockets: [TestSocket] = []
        for node in [a, b] {
            let socket = try await TestSocket.connect(node.wsURL + "/agent/ws")
            socket.send(["action": "auth", "token": token])
            try await socket.waitFor(type: "authenticated")
            sockets.append(socket)
        }
        let (loggedOut, _) = try await HTTP.request("POST", b.url + "/agent/api/logout", headers: ["Authorization": "Bearer \(token)"])
        #expect(loggedOut == 204)
        for socket in sockets {
            try await socket.waitFor(type: "logged_out")
            #expect(try await socket.waitForClose() == 1000)
        }
        let again = try await TestSocket.connect(a.wsURL + "/agent/ws")
        again.send(["action": "auth", "token": token])
        #expect(try await again.next()["code"] as? String == "UNAUTHORIZED")
    }
}
