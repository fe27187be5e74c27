extension ConnectParticipant {
    /// `CreateParticipantConnectionRequest`.
    public struct CreateParticipantConnectionRequest: ConnectWireRequest, Hashable {
        /// The output shape.
        public typealias Response = CreateParticipantConnectionResponse
        /// `POST /participant/connection`
        public static var operation: ConnectOperation { .createParticipantConnection }

        /// `Type`: which connections to create.
        public var type: [ConnectionType]?
        /// `ParticipantToken` (required), bound to header `X-Amz-Bearer`: the token `StartChatContact` returned.
        public var participantToken: String = ""
        /// `ConnectParticipant`: also acknowledge the connection (the customer is then "connected").
        public var connectParticipant: Bool?

        /// Creates a request.
        public init(type: [ConnectionType]? = nil, participantToken: String, connectParticipant: Bool? = nil) {
            self.type = type
            self.participantToken = participantToken
            self.connectParticipant = connectParticipant
        }

        /// `X-Amz-Bearer: <ParticipantToken>`.
        public var boundHeaders: [HTTPHeader] { [HTTPHeader(ConnectParticipant.bearerHeader, participantToken)] }

        /// Reads `X-Amz-Bearer`.
        public mutating func bind(pathParameters: [String: String], headers: [HTTPHeader]) throws(ConnectWireError) {
            participantToken = try Self.bearerToken(headers)
        }

        enum CodingKeys: String, CodingKey {
            case type = "Type"
            case connectParticipant = "ConnectParticipant"
        }
    }

    /// `CreateParticipantConnectionResponse`.
    public struct CreateParticipantConnectionResponse: Codable, Sendable, Hashable {
        /// `Websocket`.
        public var websocket: Websocket?
        /// `ConnectionCredentials`.
        public var connectionCredentials: ConnectionCredentials?
        /// `WebRTCConnection`.
        public var webRTCConnection: WebRTCConnection?

        /// Creates a response.
        public init(websocket: Websocket? = nil, connectionCredentials: ConnectionCredentials? = nil, webRTCConnection: WebRTCConnection? = nil) {
            self.websocket = websocket
            self.connectionCredentials = connectionCredentials
            self.webRTCConnection = webRTCConnection
        }

        enum CodingKeys: String, CodingKey {
            case websocket = "Websocket"
            case connectionCredentials = "ConnectionCredentials"
            case webRTCConnection = "WebRTCConnection"
        }
    }

    /// `Websocket`.
    public struct Websocket: Codable, Sendable, Hashable {
        /// `Url`: the pre-signed URL to open (on Switchboard in local mode).
        public var url: String?
        /// `ConnectionExpiry`: ISO 8601 (`AWSDateFormat.iso8601`).
        public var connectionExpiry: String?
        /// Creates the value.
        public init(url: String? = nil, connectionExpiry: String? = nil) {
            self.url = url
            self.connectionExpiry = connectionExpiry
        }
        enum CodingKeys: String, CodingKey {
            case url = "Url"
            case connectionExpiry = "ConnectionExpiry"
        }
    }

    /// `ConnectionCredentials`.
    public struct ConnectionCredentials: Codable, Sendable, Hashable {
        /// `ConnectionToken`: the `X-Amz-Bearer` of the other participant operations.
        public var connectionToken: String?
        /// `Expiry`: ISO 8601.
        public var expiry: String?
        /// Creates the value.
        public init(connectionToken: String? = nil, expiry: String? = nil) {
            self.connectionToken = connectionToken
            self.expiry = expiry
        }
        enum CodingKeys: String, CodingKey {
            case connectionToken = "ConnectionToken"
            case expiry = "Expiry"
        }
    }

    /// `WebRTCConnection`.
    public struct WebRTCConnection: Codable, Sendable, Hashable {
        /// `Attendee`.
        public var attendee: Attendee?
        /// `Meeting`.
        public var meeting: WebRTCMeeting?
        /// Creates the value.
        public init(attendee: Attendee? = nil, meeting: WebRTCMeeting? = nil) {
            self.attendee = attendee
            self.meeting = meeting
        }
        enum CodingKeys: String, CodingKey {
            case attendee = "Attendee"
            case meeting = "Meeting"
        }
    }
}
