/// What a signaling socket sends (docs/agent-api.md, "Signaling"): `join` with its token, then `signal`s.
package struct SignalingAction: Decodable, Sendable {
    package var action: String
    package var joinToken: String?
    package var data: JSONValue?
}

/// One attendee of a meeting, as peers see it.
package struct MeetingPeer: Encodable, Sendable, Equatable {
    package var attendeeId: String
    package var role: String

    package init(attendeeId: String, role: String) {
        (self.attendeeId, self.role) = (attendeeId, role)
    }
}

/// The answer to `join`.
package struct JoinedFrame: Encodable, Sendable {
    package let type = "joined"
    package var attendeeId: String
    package var role: String
    package var iceServers: [WebRTCConfig.IceServer]
    package var peers: [MeetingPeer]

    package init(attendeeId: String, role: String, iceServers: [WebRTCConfig.IceServer], peers: [MeetingPeer]) {
        (self.attendeeId, self.role, self.iceServers, self.peers) = (attendeeId, role, iceServers, peers)
    }
}

/// `peer_joined` or `peer_left`.
package struct PeerFrame: Encodable, Sendable {
    package var type: String
    package var attendeeId: String
    package var role: String

    package init(type: String, peer: MeetingPeer) {
        self.type = type
        attendeeId = peer.attendeeId
        role = peer.role
    }
}

/// A signal relayed from one attendee to the others; `data` is theirs and passes through unread.
package struct RelayedSignal: Encodable, Sendable {
    package let type = "signal"
    package var from: String
    package var data: JSONValue

    package init(from: String, data: JSONValue) {
        (self.from, self.data) = (from, data)
    }
}

/// A frame of the Participant Service's WebSocket, both ways (`aws/subscribe`, `aws/heartbeat`, `aws/ping`, `aws/chat`).
package struct ParticipantFrame: Codable, Sendable {
    /// `aws/subscribe`'s content.
    package struct Subscription: Codable, Sendable {
        package var status: String?
        package var topics: [String]?

        package init(status: String?, topics: [String]?) {
            (self.status, self.topics) = (status, topics)
        }
    }

    package var topic: String
    package var contentType: String?
    /// For `aws/chat`: the item's JSON as a string, as Connect sends it.
    package var content: Content?
    package var statusCode: Int?
    package var statusContent: String?

    /// `content` is an object for `aws/subscribe` and a string for `aws/chat`.
    package enum Content: Codable, Sendable {
        case subscription(Subscription)
        case text(String)

        package init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .subscription(try container.decode(Subscription.self))
            }
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .subscription(let value): try container.encode(value)
            case .text(let value): try container.encode(value)
            }
        }
    }

    package init(topic: String, contentType: String? = nil, content: Content? = nil, statusCode: Int? = nil, statusContent: String? = nil) {
        (self.topic, self.contentType) = (topic, contentType)
        (self.content, self.statusCode, self.statusContent) = (content, statusCode, statusContent)
    }

    /// A transcript item for the contact's participant sockets.
    package static func chat(itemJSON: String) -> ParticipantFrame {
        ParticipantFrame(topic: "aws/chat", contentType: "application/json", content: .text(itemJSON))
    }
}
