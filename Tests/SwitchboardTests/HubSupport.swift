import Foundation
import RedisClient
import TestSupport

/// A customer id as the widget makes it.
func newUserId() -> String { "user_\(UUID().uuidString.lowercased())" }

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
    /// Starts a chat contact through the customer API; returns its id.
    func startChat(userId: String) async throws -> String {
        let (status, body) = try await HTTP.request("POST", url + "/start-chat-contact", json: ["userId": userId])
        guard status == 200, let id = body?["contactId"] as? String else { throw TestSocketError(message: "start-chat-contact: \(status) \(body ?? [:])") }
        return id
    }

    /// Starts a voice contact through the customer API; returns its id.
    func startVoice(userId: String, initiationMethod: String? = nil, related: String? = nil) async throws -> String {
        var json: [String: Any] = ["userId": userId]
        if let initiationMethod { json["initiationMethod"] = initiationMethod }
        if let related { json["relatedContactId"] = related }
        let (status, body) = try await HTTP.request("POST", url + "/start-voice-contact", json: json)
        guard status == 200, let id = body?["contactId"] as? String else { throw TestSocketError(message: "start-voice-contact: \(status) \(body ?? [:])") }
        return id
    }

    /// Posts events to the bridge; returns the status and body.
    @discardableResult
    func bridge(_ events: Any, key: String = "local-demo-bridge-key") async throws -> (Int, [String: Any]?) {
        try await HTTP.request("POST", url + "/bridge/events", json: events, headers: ["X-Switchboard-Bridge-Key": key])
    }

    /// A registered customer socket.
    func register(_ userId: String, lastEventId: String? = nil) async throws -> TestSocket {
        let socket = try await TestSocket.connect(wsURL + "/ws")
        var frame: [String: Any] = ["action": "register", "userId": userId]
        if let lastEventId { frame["lastEventId"] = lastEventId }
        socket.send(json: frame)
        _ = try await socket.next(type: "registered")
        return socket
    }
}

extension TestSocket {
    /// Asserts silence: no frame of `type` within `window`.
    func expectNone(type: String, within window: Duration = .milliseconds(400)) async -> Bool {
        let deadline = ContinuousClock.now + window
        while ContinuousClock.now < deadline {
            guard let frame = try? await next(timeout: deadline - ContinuousClock.now) else { return true }
            if frame["type"] as? String == type { return false }
        }
        return true
    }
}
