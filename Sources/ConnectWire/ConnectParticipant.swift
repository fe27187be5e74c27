/// Shapes of the Amazon Connect Participant Service (`connectparticipant`, 2018-09-07), named and cased as in
/// botocore's service model. Every operation's token member is bound to the `X-Amz-Bearer` header, not the body.
public enum ConnectParticipant {
    /// The header the participant and connection tokens travel in.
    public static let bearerHeader = "X-Amz-Bearer"

    /// `Attendee`, shared with Amazon Connect.
    public typealias Attendee = Connect.Attendee
    /// `WebRTCMeeting`: Amazon Connect's `Meeting` without `MediaRegion`.
    public typealias WebRTCMeeting = Connect.Meeting

    /// `ConnectionType`.
    public struct ConnectionType: AWSStringEnum {
        /// The raw value.
        public let rawValue: String
        /// Wraps a raw value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `WEBSOCKET`
        public static let websocket: Self = "WEBSOCKET"
        /// `CONNECTION_CREDENTIALS`
        public static let connectionCredentials: Self = "CONNECTION_CREDENTIALS"
        /// `WEBRTC_CONNECTION`
        public static let webRTCConnection: Self = "WEBRTC_CONNECTION"
    }

    /// `ChatItemType`.
    public struct ChatItemType: AWSStringEnum {
        /// The raw value.
        public let rawValue: String
        /// Wraps a raw value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `TYPING`
        public static let typing: Self = "TYPING"
        /// `PARTICIPANT_JOINED`
        public static let participantJoined: Self = "PARTICIPANT_JOINED"
        /// `PARTICIPANT_LEFT`
        public static let participantLeft: Self = "PARTICIPANT_LEFT"
        /// `CHAT_ENDED`
        public static let chatEnded: Self = "CHAT_ENDED"
        /// `TRANSFER_SUCCEEDED`
        public static let transferSucceeded: Self = "TRANSFER_SUCCEEDED"
        /// `TRANSFER_FAILED`
        public static let transferFailed: Self = "TRANSFER_FAILED"
        /// `MESSAGE`
        public static let message: Self = "MESSAGE"
        /// `EVENT`
        public static let event: Self = "EVENT"
        /// `ATTACHMENT`
        public static let attachment: Self = "ATTACHMENT"
        /// `CONNECTION_ACK`
        public static let connectionAck: Self = "CONNECTION_ACK"
        /// `MESSAGE_DELIVERED`
        public static let messageDelivered: Self = "MESSAGE_DELIVERED"
        /// `MESSAGE_READ`
        public static let messageRead: Self = "MESSAGE_READ"
    }

    /// `ParticipantRole`.
    public struct ParticipantRole: AWSStringEnum {
        /// The raw value.
        public let rawValue: String
        /// Wraps a raw value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `AGENT`
        public static let agent: Self = "AGENT"
        /// `CUSTOMER`
        public static let customer: Self = "CUSTOMER"
        /// `SYSTEM`
        public static let system: Self = "SYSTEM"
        /// `CUSTOM_BOT`
        public static let customBot: Self = "CUSTOM_BOT"
        /// `SUPERVISOR`
        public static let supervisor: Self = "SUPERVISOR"
    }

    /// The `ContentType` values of `SendEvent` and of event items in transcripts, as Amazon Connect spells them.
    public enum EventContentType {
        /// Typing indicator.
        public static let typing = "application/vnd.amazonaws.connect.event.typing"
        /// A participant joined.
        public static let participantJoined = "application/vnd.amazonaws.connect.event.participant.joined"
        /// A participant left.
        public static let participantLeft = "application/vnd.amazonaws.connect.event.participant.left"
        /// The chat ended.
        public static let chatEnded = "application/vnd.amazonaws.connect.event.chat.ended"
        /// The connection was acknowledged (`ConnectParticipant: true`).
        public static let connectionAcknowledged = "application/vnd.amazonaws.connect.event.connection.acknowledged"
        /// A message was delivered.
        public static let messageDelivered = "application/vnd.amazonaws.connect.event.message.delivered"
        /// A message was read.
        public static let messageRead = "application/vnd.amazonaws.connect.event.message.read"
    }
}

extension ConnectWireRequest {
    /// The `X-Amz-Bearer` value, or `AccessDeniedException` when it is missing: the token is the only credential of the
    /// participant service.
    static func bearerToken(_ headers: [HTTPHeader]) throws(ConnectWireError) -> String {
        guard let token = headers.first(named: ConnectParticipant.bearerHeader), !token.isEmpty else {
            throw ConnectWireError(.accessDenied, "Missing \(ConnectParticipant.bearerHeader) token")
        }
        return token
    }
}

/// A Participant Service request authorized by a `ConnectionToken`, which travels in `X-Amz-Bearer`.
public protocol ConnectionTokenRequest: ConnectWireRequest {
    /// `ConnectionToken` (required), bound to header `X-Amz-Bearer`.
    var connectionToken: String { get set }
}

extension ConnectionTokenRequest {
    /// `X-Amz-Bearer: <ConnectionToken>`.
    public var boundHeaders: [HTTPHeader] { [HTTPHeader(ConnectParticipant.bearerHeader, connectionToken)] }

    /// Reads `X-Amz-Bearer`.
    public mutating func bind(pathParameters: [String: String], headers: [HTTPHeader]) throws(ConnectWireError) {
        connectionToken = try Self.bearerToken(headers)
    }
}

extension ConnectParticipant {
    /// The members SendMessage and SendEvent share on the wire.
    enum SendCodingKeys: String, CodingKey {
        case contentType = "ContentType"
        case content = "Content"
        case clientToken = "ClientToken"
    }
}
