extension Connect {
    /// `StartWebRTCContactRequest` — body members only.
    public struct StartWebRTCContactRequest: ConnectWireRequest, Hashable {
        /// The output shape.
        public typealias Response = StartWebRTCContactResponse
        /// `PUT /contact/webrtc`
        public static var operation: ConnectOperation { .startWebRTCContact }

        /// `Attributes`.
        public var attributes: [String: String]?
        /// `ClientToken`: idempotency token.
        public var clientToken: String?
        /// `ContactFlowId` (required).
        public var contactFlowId: String
        /// `InstanceId` (required).
        public var instanceId: String
        /// `AllowedCapabilities`: video and screen sharing per side.
        public var allowedCapabilities: AllowedCapabilities?
        /// `ParticipantDetails` (required).
        public var participantDetails: ParticipantDetails
        /// `RelatedContactId`: links the call to e.g. the chat it escalates.
        public var relatedContactId: String?
        /// `References`: name to reference.
        public var references: [String: Reference]?
        /// `Description`.
        public var description: String?

        /// Creates a request.
        public init(
            attributes: [String: String]? = nil, clientToken: String? = nil, contactFlowId: String, instanceId: String,
            allowedCapabilities: AllowedCapabilities? = nil, participantDetails: ParticipantDetails, relatedContactId: String? = nil,
            references: [String: Reference]? = nil, description: String? = nil
        ) {
            self.attributes = attributes
            self.clientToken = clientToken
            self.contactFlowId = contactFlowId
            self.instanceId = instanceId
            self.allowedCapabilities = allowedCapabilities
            self.participantDetails = participantDetails
            self.relatedContactId = relatedContactId
            self.references = references
            self.description = description
        }

        enum CodingKeys: String, CodingKey {
            case attributes = "Attributes"
            case clientToken = "ClientToken"
            case contactFlowId = "ContactFlowId"
            case instanceId = "InstanceId"
            case allowedCapabilities = "AllowedCapabilities"
            case participantDetails = "ParticipantDetails"
            case relatedContactId = "RelatedContactId"
            case references = "References"
            case description = "Description"
        }
    }

    /// `StartWebRTCContactResponse`.
    public struct StartWebRTCContactResponse: Codable, Sendable, Hashable {
        /// `ConnectionData`: how to join the call.
        public var connectionData: ConnectionData?
        /// `ContactId`.
        public var contactId: String?
        /// `ParticipantId`.
        public var participantId: String?
        /// `ParticipantToken`.
        public var participantToken: String?

        /// Creates a response.
        public init(connectionData: ConnectionData? = nil, contactId: String? = nil, participantId: String? = nil, participantToken: String? = nil) {
            self.connectionData = connectionData
            self.contactId = contactId
            self.participantId = participantId
            self.participantToken = participantToken
        }

        enum CodingKeys: String, CodingKey {
            case connectionData = "ConnectionData"
            case contactId = "ContactId"
            case participantId = "ParticipantId"
            case participantToken = "ParticipantToken"
        }
    }

    /// `AllowedCapabilities`.
    public struct AllowedCapabilities: Codable, Sendable, Hashable {
        /// `Customer`.
        public var customer: ParticipantCapabilities?
        /// `Agent`.
        public var agent: ParticipantCapabilities?
        /// Creates the capabilities.
        public init(customer: ParticipantCapabilities? = nil, agent: ParticipantCapabilities? = nil) {
            self.customer = customer
            self.agent = agent
        }
        enum CodingKeys: String, CodingKey {
            case customer = "Customer"
            case agent = "Agent"
        }
    }

    /// `ParticipantCapabilities`.
    public struct ParticipantCapabilities: Codable, Sendable, Hashable {
        /// `Video`: `SEND`.
        public var video: String?
        /// `ScreenShare`: `SEND`.
        public var screenShare: String?
        /// Creates the capabilities.
        public init(video: String? = nil, screenShare: String? = nil) {
            self.video = video
            self.screenShare = screenShare
        }
        enum CodingKeys: String, CodingKey {
            case video = "Video"
            case screenShare = "ScreenShare"
        }
    }

    /// `Reference`.
    public struct Reference: Codable, Sendable, Hashable {
        /// `Value`.
        public var value: String?
        /// `Type` (required): `URL`, `ATTACHMENT`, `NUMBER`, `STRING`, `DATE`, `EMAIL`, ...
        public var type: String
        /// `Status`.
        public var status: String?
        /// `Arn`.
        public var arn: String?
        /// `StatusReason`.
        public var statusReason: String?
        /// Creates a reference.
        public init(value: String? = nil, type: String, status: String? = nil, arn: String? = nil, statusReason: String? = nil) {
            self.value = value
            self.type = type
            self.status = status
            self.arn = arn
            self.statusReason = statusReason
        }
        enum CodingKeys: String, CodingKey {
            case value = "Value"
            case type = "Type"
            case status = "Status"
            case arn = "Arn"
            case statusReason = "StatusReason"
        }
    }
}
