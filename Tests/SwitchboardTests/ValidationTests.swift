import Foundation
import Hummingbird
import HummingbirdTesting
import Switchboard
import SwitchboardCore
import ContactEngine
import Testing
import TestSupport

@Suite("Bad input gets clear errors, never a crash", .timeLimit(.minutes(2)))
struct ValidationTests {
    static let fixtures = TestDeployment.repository + "/../shared/fixtures"

    static func fixturesPath() -> String {
        for candidate in [TestDeployment.repository + "/../shared/fixtures", "/work/shared/fixtures"]
        where FileManager.default.fileExists(atPath: candidate + "/contact-events.ndjson") { return candidate }
        return fixtures
    }

    @Test("/ws: bad frames get error frames and the socket stays open; oversize frames close with 1009; foreign origins are refused")
    func socketFrames() async throws {
        let deployment = try await TestDeployment(["security": ["maxFrameBytes": 1024]])
        let node = try await deployment.start()
        let socket = try await TestSocket.connect(node.wsURL + "/ws")
        for (frame, code) in [("not json", "INVALID_FRAME"), (#"{"action":"dance"}"#, "UNKNOWN_ACTION"), (#"{"userId":"x"}"#, "INVALID_FRAME"),
                              (#"{"action":"register","userId":"user_1"}"#, "INVALID_REQUEST"),
                              (Self.json(registerFrame(newUserId(), lastEventId: "abc")), "INVALID_REQUEST")] {
            socket.send(frame)
            let reply = try await socket.next()
            #expect(reply["type"] as? String == "error" && reply["code"] as? String == code, "\(frame) → \(reply)")
        }
        socket.send(#"{"action":"ping"}"#)
        #expect(try await socket.next()["type"] as? String == "pong")
        socket.send(String(repeating: "x", count: 4096))
        #expect(try await socket.waitForClose() == 1009)

        let (status, _, _) = try await HTTP.raw("GET", node.url + "/ws", headers: [
            "Origin": "http://evil.example", "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        ])
        #expect(status == 403 || status == 400, "upgrade from a foreign origin must be refused, got \(status)")
        let (allowed, _, headers) = try await HTTP.raw("GET", node.url + "/health", headers: ["Origin": "http://allowed.example"])
        #expect(allowed == 200 && headers["access-control-allow-origin"] == "http://allowed.example")
    }

    @Test("a connection's first request that does not parse (a NUL in a header, a request line that is not HTTP) is answered 400 and closed")
    func unparsableFirstRequest() async throws {
        let deployment = try await TestDeployment()
        let node = try await deployment.start()
        // HTTP.raw waits 10 s for the server to answer and close; before, the connection was left open and unanswered.
        let (nul, _, headers) = try await HTTP.raw("GET", node.url + "/health", headers: ["X-Probe": "a\u{0}b"])
        #expect(nul == 400 && headers["connection"] == "close")
        let (garbage, _, _) = try await HTTP.raw("NOT HTTP", node.url + "/health")
        #expect(garbage == 400)
        let (health, _) = try await HTTP.request("GET", node.url + "/health")
        #expect(health == 200)
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test("/ws: a userId alone is not enough: no token, or another user's, is UNAUTHORIZED and registers nothing")
    func registerNeedsTheUsersToken() async throws {
        let deployment = try await TestDeployment()
        let node = try await deployment.start()
        let user = newUserId(), other = newUserId()
        // The start calls hand out the token; it is the one the socket must show.
        let started = try await node.startContact("chat", ["userId": user])
        #expect(started["userToken"] as? String == userToken(user))
        let voice = try await node.startContact("voice", ["userId": user])
        #expect(voice["userToken"] as? String == userToken(user))
        let socket = try await TestSocket.connect(node.wsURL + "/ws")
        for frame: [String: Any] in [["action": "register", "userId": user],
                                     ["action": "register", "userId": user, "userToken": userToken(other)],
                                     ["action": "register", "userId": user, "userToken": "not-a-token"]] {
            socket.send(frame)
            let reply = try await socket.next()
            #expect(reply["type"] as? String == "error" && reply["code"] as? String == "UNAUTHORIZED", "\(frame) → \(reply)")
        }
        let redis = try await TestRedis.client()
        #expect(try await redis.userSockets(prefix: deployment.prefix, user).isEmpty)
        socket.send(registerFrame(user))
        #expect(try await socket.next()["type"] as? String == "registered")
    }

    @Test("secrets: {\"env\"} values are read at start-up, a missing variable is named, demo secrets are refused off loopback")
    func secrets() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestDeployment.repository + "/config.json"))
        let base = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        setenv("SB_TEST_BRIDGE_KEY", "from-the-environment", 1)
        let fromEnv = try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: TestDeployment.merge(base, ["bridge": ["apiKey": ["env": "SB_TEST_BRIDGE_KEY"]]])))
        #expect(fromEnv.bridge.apiKey == "from-the-environment")
        let missing = #expect(throws: SwitchboardError.self) {
            try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: TestDeployment.merge(base, ["security": ["userTokenSecret": ["env": "SB_TEST_NOT_SET"]]])))
        }
        #expect(missing?.description.contains("SB_TEST_NOT_SET") == true && missing?.description.contains("security.userTokenSecret") == true)
        var exposed = try SwitchboardConfig.decode(data)
        #expect(throws: Never.self) { try exposed.checkSecretsForHost() }  // 127.0.0.1: the demo's secrets are fine
        exposed.node.host = "0.0.0.0"
        let refused = #expect(throws: SwitchboardError.self) { try exposed.checkSecretsForHost() }
        #expect(refused?.description.contains("bridge.apiKey") == true)
        func config(agent: [String: Any]) throws -> SwitchboardConfig {
            var config = try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: TestDeployment.merge(base, [
                "bridge": ["apiKey": "k-1"], "security": ["userTokenSecret": "s-1"],
                "local": ["credentials": ["accessKeyId": "AKID", "secretAccessKey": "s-2"], "agents": [agent]],
            ])))
            config.node.host = "0.0.0.0"
            return config
        }
        // Off loopback, an agent's password must be a hash.
        let plain = #expect(throws: SwitchboardError.self) { try config(agent: ["username": "a", "password": "p-1", "displayName": "A"]).checkSecretsForHost() }
        #expect(plain?.description.contains("passwordHash") == true)
        let hashed = try config(agent: ["username": "a", "passwordHash": try PasswordHash.make("p-1"), "displayName": "A"])
        #expect(throws: Never.self) { try hashed.checkSecretsForHost() }
    }

    @Test("agent passwords: a passwordHash logs in with its password only; exactly one of password and passwordHash; a bad hash is named")
    func passwordHashes() async throws {
        let hash = try PasswordHash.make("correct horse")
        let again = try PasswordHash.make("correct horse")
        #expect(hash.hasPrefix("pbkdf2-sha256$600000$") && hash != again)  // salted
        #expect(PasswordHash.verify("correct horse", against: hash) && !PasswordHash.verify("correct horse!", against: hash))
        let data = try Data(contentsOf: URL(fileURLWithPath: TestDeployment.repository + "/config.json"))
        let base = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        for (agent, named) in [(["username": "a", "displayName": "A"], "exactly one"),
                               (["username": "a", "displayName": "A", "password": "x", "passwordHash": hash], "exactly one"),
                               (["username": "a", "displayName": "A", "passwordHash": "md5$abc"], "hash-password")] {
            let error = #expect(throws: SwitchboardError.self) {
                try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: TestDeployment.merge(base, ["local": ["agents": [agent]]])))
            }
            #expect(error?.description.contains(named) == true, "\(agent)")
        }
        let deployment = try await TestDeployment(["local": ["agents": [["username": "hashed", "passwordHash": hash, "displayName": "H"]]]])
        let node = try await deployment.start()
        let (wrong, _) = try await HTTP.request("POST", node.url + "/agent/api/login", json: ["username": "hashed", "password": "correct"])
        #expect(wrong == 401)
        let (right, body) = try await HTTP.request("POST", node.url + "/agent/api/login", json: ["username": "hashed", "password": "correct horse"])
        #expect(right == 200 && body?["agentId"] as? String == "hashed")
    }

    @Test("logins are limited per address and per username; X-Forwarded-For counts only from a trusted proxy; errors carry CORS headers")
    func loginLimits() async throws {
        let limits: [String: Any] = ["rateLimits": ["startContactPerMinutePerIp": 0, "loginPerMinutePerIp": 20, "loginPerMinutePerUsername": 10]]
        let deployment = try await TestDeployment(["security": limits])
        let node = try await deployment.start()
        func login(_ username: String, forwardedFor: String? = nil) async throws -> (Int, [String: String]) {
            let body = try JSONSerialization.data(withJSONObject: ["username": username, "password": "wrong"])
            var headers = ["Content-Type": "application/json"]
            if let forwardedFor { headers["X-Forwarded-For"] = forwardedFor }
            let (status, _, answer) = try await HTTP.raw("POST", node.url + "/agent/api/login", body: body, headers: headers)
            return (status, answer)
        }
        // 40 wrong passwords for one agent: 10 a minute are checked, the rest refused unread. (The windows are whole
        // minutes: if one ends meanwhile, the next checks 10 more, so at most 20 of the 40 are read.)
        var answers: [(Int, [String: String])] = []
        for _ in 0..<40 { answers.append(try await login("agent1")) }
        let statuses = answers.map(\.0)
        let checked = statuses.filter { $0 == 401 }.count
        #expect(statuses.prefix(10).allSatisfy { $0 == 401 } && (10...20).contains(checked), "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 40 - checked, "\(statuses)")
        #expect(answers.filter { $0.0 == 429 }.allSatisfy { Int($0.1["retry-after"] ?? "") ?? 0 >= 1 })
        // Spread over usernames, with a made-up X-Forwarded-For each time, from a peer nobody trusts: one address,
        // whose budget of 20 a minute runs out all the same (45 attempts outlast it even across a minute's end).
        var spoofed: [Int] = []
        for index in 0..<45 { spoofed.append(try await login("guess\(index)", forwardedFor: "203.0.113.\(index)").0) }
        #expect(spoofed.contains(429), "\(spoofed)")

        // Behind a trusted proxy, each forwarded client has a budget of its own.
        let proxied = try await deployment.start(["security": ["trustedProxies": ["127.0.0.0/8"]]])
        var forwarded: [Int] = []
        for index in 0..<25 {
            let body = try JSONSerialization.data(withJSONObject: ["username": "user\(index)", "password": "wrong"])
            forwarded.append(try await HTTP.raw("POST", proxied.url + "/agent/api/login", body: body,
                                                headers: ["Content-Type": "application/json", "X-Forwarded-For": "198.51.100.\(index)"]).0)
        }
        #expect(forwarded.allSatisfy { $0 == 401 }, "\(forwarded)")

        // A cross-origin page can read an error too.
        let (status, _, answer) = try await HTTP.raw("POST", node.url + "/start-chat-contact", body: Data("{}".utf8),
                                                     headers: ["Origin": "http://allowed.example", "Content-Type": "application/json"])
        #expect(status == 400 && answer["access-control-allow-origin"] == "http://allowed.example")
    }

    @Test("trusted proxy blocks: addresses inside and outside, IPv4 and IPv6")
    func cidrs() {
        let v4 = CIDR("10.1.0.0/16"), v6 = CIDR("fd00::/8"), one = CIDR("127.0.0.1")
        #expect(v4?.contains("10.1.255.3") == true && v4?.contains("10.2.0.1") == false && v4?.contains("fd00::1") == false)
        #expect(v6?.contains("fd12::1") == true && v6?.contains("fe80::1") == false)
        #expect(one?.contains("127.0.0.1") == true && one?.contains("127.0.0.2") == false)
        #expect(CIDR("10.0.0.0/33") == nil && CIDR("not-an-address") == nil && CIDR("::/0")?.contains("2001:db8::1") == true)
    }

    @Test("config.json: an unknown key or a missing required value is named")
    func strictConfig() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestDeployment.repository + "/config.json"))
        #expect(throws: Never.self) { try SwitchboardConfig.decode(data) }
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var security = object["security"] as! [String: Any]
        security["maxFrameByte"] = 10
        object["security"] = security
        #expect(throws: SwitchboardError.config(#"unknown key "security.maxFrameByte""#)) {
            try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: object))
        }
        object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var events = object["events"] as! [String: Any]
        events.removeValue(forKey: "maxDeliveries")
        object["events"] = events
        #expect(throws: SwitchboardError.config(#"missing required value "events.maxDeliveries""#)) {
            try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: object))
        }
        object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        object["node"] = ["host": "127.0.0.1", "port": "eighty"]
        #expect(throws: SwitchboardError.self) { try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: object)) }
    }

    @Test("config.json: settings that only work together are checked together")
    func crossChecks() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestDeployment.repository + "/config.json"))
        let base = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let cases: [([String: Any], String)] = [
            (["realtime": ["nodeTtlSeconds": 5, "sweepIntervalSeconds": 5]], "realtime.nodeTtlSeconds"),
            (["events": ["blockMs": 6000], "redis": ["commandTimeoutMs": 5000]], "events.blockMs"),
            (["connect": ["maxAttempts": 0]], "connect.maxAttempts"),
            (["security": ["rateLimits": ["startContactPerMinutePerIp": -1]]], "security.rateLimits"),
        ]
        for (overrides, named) in cases {
            let error = #expect(throws: SwitchboardError.self) {
                try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: TestDeployment.merge(base, overrides)))
            }
            #expect(error?.description.contains(named) == true, "\(overrides)")
        }
    }

    @Test("config.json: routing profiles give each queue one profile, and each agent a profile that exists")
    func routingProfiles() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestDeployment.repository + "/config.json"))
        var base = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var routing = base["routing"] as! [String: Any]
        routing.removeValue(forKey: "profiles")  // merged, not replaced, below: each case gives its own
        base["routing"] = routing
        func decode(_ overrides: [String: Any]) throws -> SwitchboardConfig {
            try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: TestDeployment.merge(base, overrides)))
        }
        let agent = ["username": "b1", "password": "local-demo-password", "displayName": "B"]
        let two = try decode(["routing": ["profiles": ["support": ["default", "vip"], "billing": ["invoices"]]],
                              "local": ["agents": [agent.merging(["routingProfile": "billing"]) { $1 }, ["username": "s1", "password": "p", "displayName": "S"]]]])
        #expect(two.routing.profileNames == ["billing", "support"])
        #expect(two.routing.profile(ofQueue: "vip") == "support" && two.routing.profile(ofQueue: "invoices") == "billing")
        #expect(two.routing.profile(ofQueue: "nowhere") == nil)
        #expect(two.routingProfile(ofAgent: "b1") == "billing")
        #expect(two.routingProfile(ofAgent: "s1") == "support", "an agent without routingProfile serves defaultQueue's profile")
        #expect(try decode([:]).routing.profiles == [.init(name: "default", queues: ["default"])])
        let cases: [([String: Any], String)] = [
            (["routing": ["profiles": ["a": ["q"], "b": ["q", "default"]]]], #"queue "q" is in routing profiles "a" and "b""#),
            (["routing": ["profiles": ["a": ["q"]]]], #""routing.defaultQueue" "default" is in no routing profile"#),
            (["routing": ["profiles": ["a b": ["default"]]]], #"bad name "a b""#),
            (["routing": ["profiles": ["a": ["default", "x{y}"]]]], #"bad queue "x{y}""#),
            (["routing": ["profiles": ["a": [String](), "b": ["default"]]]], #""routing.profiles.a" lists no queue"#),
            (["routing": ["profiles": ["a": ["default", "default"]]]], #""routing.profiles.a" lists queue "default" twice"#),
            (["routing": ["profiles": ["a": "default"]]], #""routing.profiles.a" must be"#),
            (["routing": ["defaultQueue": "de fault"]], #"bad queue "de fault""#),
            (["local": ["agents": [agent.merging(["routingProfile": "sales"]) { $1 }]]], #"agent b1 has "routingProfile" "sales""#),
        ]
        for (overrides, named) in cases {
            let error = #expect(throws: SwitchboardError.self) { try decode(overrides) }
            #expect(error?.description.contains(named) == true, "\(overrides): \(String(describing: error))")
        }
    }
}
