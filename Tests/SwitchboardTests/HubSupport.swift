import Foundation
import RedisClient
import Switchboard
import SwitchboardCore
import ContactEngine
import TestSupport

/// A customer id as the widget makes it.
func newUserId() -> String { "user_\(UUID().uuidString.lowercased())" }

/// The `userToken` a start call gives `userId` under config.json's (demo) secret.
func userToken(_ userId: String) -> String { UserTokens(secret: "local-demo-user-token-secret").token(for: userId) }

/// A `register` frame for `userId`, with its token.
func registerFrame(_ userId: String, lastEventId: String? = nil) -> [String: Any] {
    var frame: [String: Any] = ["action": "register", "userId": userId, "userToken": userToken(userId)]
    if let lastEventId { frame["lastEventId"] = lastEventId }
    return frame
}

/// A Connect contact event in EventBridge's shape, like shared/fixtures.
func contactEvent(_ type: String, contactId: String, channel: String = "CHAT", id: String = UUID().uuidString.lowercased()) -> [String: Any] {
    [
        "version": "0", "id": id, "detail-type": "Amazon Connect Contact Event", "source": "aws.connect", "account": "111122223333",
        "time": "2026-05-01T10:15:41Z", "region": "us-west-2", "resources": [],
        "detail": ["eventType": type, "contactId": contactId, "channel": channel, "initiationMethod": channel == "CHAT" ? "API" : "WEBRTC_API",
                   "agentInfo": ["agentArn": "arn:aws:connect:us-west-2:111122223333:instance/x/agent/a1"]],
    ]
}

extension TestNode {
    /// POSTs `json` to `/start-<kind>-contact`; returns the reply (contactId, participantToken, ...), or throws unless 200.
    func startContact(_ kind: String, _ json: [String: Any]) async throws -> [String: Any] {
        let (status, body) = try await HTTP.request("POST", url + "/start-\(kind)-contact", json: json)
        guard status == 200, let body, body["contactId"] is String else { throw TestClientError("start-\(kind)-contact: \(status) \(body ?? [:])") }
        return body
    }

    /// Starts a chat contact through the customer API; returns its id.
    func startChat(userId: String) async throws -> String {
        try await startContact("chat", ["userId": userId])["contactId"] as! String
    }

    /// Starts a voice contact through the customer API; returns its id.
    func startVoice(userId: String, initiationMethod: String? = nil, related: String? = nil) async throws -> String {
        var json: [String: Any] = ["userId": userId]
        if let initiationMethod { json["initiationMethod"] = initiationMethod }
        if let related { json["relatedContactId"] = related }
        return try await startContact("voice", json)["contactId"] as! String
    }

    /// Posts events to the bridge; returns the status and body.
    @discardableResult
    func bridge(_ events: Any, key: String = "local-demo-bridge-key") async throws -> (Int, [String: Any]?) {
        try await HTTP.request("POST", url + "/bridge/events", json: events, headers: ["X-Switchboard-Bridge-Key": key])
    }

    /// A registered customer socket.
    func register(_ userId: String, lastEventId: String? = nil) async throws -> TestSocket {
        let socket = try await TestSocket.connect(wsURL + "/ws")
        socket.send(registerFrame(userId, lastEventId: lastEventId))
        _ = try await socket.next(type: "registered")
        return socket
    }
}

extension TestSocket {
    /// Asserts silence: no frame of `type` within `window` (the frames before it are read).
    func expectNone(type: String, within window: Duration = .milliseconds(400)) async -> Bool {
        (try? await next(type: type, timeout: window)) == nil
    }
}

/// Orders Redis stream ids (`<ms>-<seq>`) numerically.
enum StreamIDOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: "-").compactMap { UInt64($0) }, y = b.split(separator: "-").compactMap { UInt64($0) }
        return x.lexicographicallyPrecedes(y)
    }
}

extension RedisClient {
    /// A user's registered sockets as the hub keeps them (docs/redis-keys.md): connection id → node id.
    func userSockets(prefix: String, _ user: String) async throws -> [String: String] {
        var sockets: [String: String] = [:]
        for member in try await send("ZRANGE", "\(prefix):{u:\(user)}:conns", "0", "-1").strings {
            let parts = member.split(separator: "@", maxSplits: 1).map(String.init)
            sockets[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return sockets
    }

    /// The sockets a node has registered, as `<connectionId>@<userId>`.
    func nodeSockets(prefix: String, _ node: String) async throws -> [String] {
        try await smembers("\(prefix):{n:\(node)}:conns")
    }
}
