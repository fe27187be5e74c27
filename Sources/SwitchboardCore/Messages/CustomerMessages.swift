/// What a customer socket sends (SPEC §4): `register` and `ping`. Members of the wrong type read as absent, so the
/// error names the member rather than the frame; `lastEventId` is kept as sent, since a wrong one must be refused.
package struct CustomerAction: Decodable, Sendable {
    package var action: String?
    package var userId: String?
    package var userToken: String?
    package var lastEventId: JSONValue?

    enum CodingKeys: String, CodingKey { case action, userId, userToken, lastEventId }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try? container.decodeIfPresent(String.self, forKey: .action)
        userId = try? container.decodeIfPresent(String.self, forKey: .userId)
        userToken = try? container.decodeIfPresent(String.self, forKey: .userToken)
        lastEventId = try container.decodeIfPresent(JSONValue.self, forKey: .lastEventId)
    }
}

/// `{"type":"registered",...}`: the socket is the user's, and pushes after `lastEventId` reach it live.
package struct RegisteredFrame: Encodable, Sendable {
    package let type = "registered"
    package var connectionId: String
    package var userId: String
    package var node: String
    package var lastEventId: String

    package init(connectionId: String, userId: String, node: String, lastEventId: String) {
        (self.connectionId, self.userId, self.node, self.lastEventId) = (connectionId, userId, node, lastEventId)
    }
}

/// `{"type":"error","code","message"}`, the error frame of every socket.
package struct ErrorFrame: Encodable, Sendable {
    package let type = "error"
    package var code: String
    package var message: String
    /// Seconds to wait before trying again (a rate limit's `Retry-After`).
    package var retryAfter: Int?

    package init(_ code: String, _ message: String) {
        (self.code, self.message) = (code, message)
    }

    /// The frame for an error a request failed with.
    package init(_ error: SwitchboardError) {
        self.init(error.code, error.message)
        retryAfter = error.headers[.retryAfter].flatMap { Int($0) }
    }
}

/// A frame that is only its type: `pong`, `logged_out`, `meeting_ended`.
package struct TypeFrame: Encodable, Sendable {
    package var type: String

    package init(_ type: String) { self.type = type }
}

/// A push to a customer (SPEC §4 and §5): `agent_connected`, `enable_escalation` or `contact_ended`. The hub adds
/// `eventId`.
package struct CustomerPush: Codable, Sendable, Equatable {
    /// Set when the push is sent: its entry id in the user's replay stream (`realtime_push.lua` writes it live).
    package var eventId: String?
    package var type: String
    package var contactId: String
    package var channel: String?
    package var userId: String?

    /// An agent took the customer's contact.
    package static func agentConnected(contactId: String, channel: String) -> CustomerPush {
        CustomerPush(type: "agent_connected", contactId: contactId, channel: channel)
    }

    /// The customer may now escalate their chat to voice.
    package static func enableEscalation(contactId: String, userId: String) -> CustomerPush {
        CustomerPush(type: "enable_escalation", contactId: contactId, userId: userId)
    }

    /// The contact ended.
    package static func contactEnded(contactId: String, channel: String) -> CustomerPush {
        CustomerPush(type: "contact_ended", contactId: contactId, channel: channel)
    }
}

extension CustomerPush {
    /// The members as name, value pairs, `type` first: what `realtime_push.lua` writes as the replay entry's fields.
    package var members: [(String, String)] {
        var members = [("type", type), ("contactId", contactId)]
        if let channel { members.append(("channel", channel)) }
        if let userId { members.append(("userId", userId)) }
        return members
    }

    /// The push a replay entry holds: its members as fields.
    package init?(members: [String: String]) {
        guard let type = members["type"], let contactId = members["contactId"] else { return nil }
        self.init(type: type, contactId: contactId, channel: members["channel"], userId: members["userId"])
    }
}

/// `/health`'s body.
package struct HealthStatus: Encodable, Sendable {
    package var status: String
    package var redis: String?
    package var node: String

    package init(status: String, redis: String?, node: String) {
        (self.status, self.redis, self.node) = (status, redis, node)
    }
}

/// SPEC §3's error body, `{"error":{"code","message"}}`.
package struct ErrorBody: Encodable, Sendable {
    package struct Detail: Encodable, Sendable {
        package var code: String
        package var message: String
    }

    package var error: Detail

    package init(_ error: SwitchboardError) { self.error = Detail(code: error.code, message: error.message) }
}
