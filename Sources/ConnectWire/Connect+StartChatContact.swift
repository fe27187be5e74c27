extension Connect {
    /// `StartChatContactRequest` — body members only. `SegmentAttributes` is not modelled (ignored when sent).
    public struct StartChatContactRequest: ConnectWireRequest, Hashable {
        /// The output shape.
        public typealias Response = StartChatContactResponse
        /// `PUT /contact/chat`
        public static var operation: ConnectOperation { .startChatContact }

        /// `InstanceId` (required).
        public var instanceId: String
        /// `ContactFlowId` (required).
        public var contactFlowId: String
        /// `Attributes`: user-defined contact attributes.
        public var attributes: [String: String]?
        /// `ParticipantDetails` (required).
        public var participantDetails: ParticipantDetails
        /// `ParticipantConfiguration`.
        public var participantConfiguration: ParticipantConfiguration?
        /// `InitialMessage`.
        public var initialMessage: ChatMessage?
        /// `ClientToken`: idempotency token (botocore fills in a UUID when the caller gives none).
        public var clientToken: String?
        /// `ChatDurationInMinutes` (60-10080).
        public var chatDurationInMinutes: Int?
        /// `SupportedMessagingContentTypes`, e.g. `text/plain`, `text/markdown`.
        public var supportedMessagingContentTypes: [String]?
        /// `PersistentChat`.
        public var persistentChat: PersistentChat?
        /// `RelatedContactId`.
        public var relatedContactId: String?
        /// `CustomerId`.
        public var customerId: String?
        /// `DisconnectOnCustomerExit`: participant types (only `AGENT`).
        public var disconnectOnCustomerExit: [String]?

        /// Creates a request.
        public init(
            instanceId: String, contactFlowId: String, attributes: [String: String]? = nil, participantDetails: ParticipantDetails,
            participantConfiguration: ParticipantConfiguration? = nil, initialMessage: ChatMessage? = nil, clientToken: String? = nil,
            chatDurationInMinutes: Int? = nil, supportedMessagingContentTypes: [String]? = nil, persistentChat: PersistentChat? = nil,
            relatedContactId: String? = nil, customerId: String? = nil, disconnectOnCustomerExit: [String]? = nil
        ) {
            self.instanceId = instanceId
            self.contactFlowId = contactFlowId
            self.attributes = attributes
            self.participantDetails = participantDetails
            self.participantConfiguration = participantConfiguration
            self.initialMessage = initialMessage
            self.clientToken = clientToken
            self.chatDurationInMinutes = chatDurationInMinutes
            self.supportedMessagingContentTypes = supportedMessagingContentTypes
            self.persistentChat = persistentChat
            self.relatedContactId = relatedContactId
            self.customerId = customerId
            self.disconnectOnCustomerExit = disconnectOnCustomerExit
        }

        enum CodingKeys: String, CodingKey {
            case instanceId = "InstanceId"
            case contactFlowId = "ContactFlowId"
            case attributes = "Attributes"
            case participantDetails = "ParticipantDetails"
            case participantConfiguration = "ParticipantConfiguration"
            case initialMessage = "InitialMessage"
            case clientToken = "ClientToken"
            case chatDurationInMinutes = "ChatDurationInMinutes"
            case supportedMessagingContentTypes = "SupportedMessagingContentTypes"
            case persistentChat = "PersistentChat"
            case relatedContactId = "RelatedContactId"
            case customerId = "CustomerId"
            case disconnectOnCustomerExit = "DisconnectOnCustomerExit"
        }
    }

    /// `StartChatContactResponse`.
    public struct StartChatContactResponse: Codable, Sendable, Hashable {
        /// `ContactId`.
        public var contactId: String?
        /// `ParticipantId`: the customer participant.
        public var participantId: String?
        /// `ParticipantToken`: what `CreateParticipantConnection` takes as `X-Amz-Bearer`.
        public var participantToken: String?
        /// `ContinuedFromContactId`: set for persistent chats.
        public var continuedFromContactId: String?

        /// Creates a response.
        public init(contactId: String? = nil, participantId: String? = nil, participantToken: String? = nil, continuedFromContactId: String? = nil) {
            self.contactId = contactId
            self.participantId = participantId
            self.participantToken = participantToken
            self.continuedFromContactId = continuedFromContactId
        }

        enum CodingKeys: String, CodingKey {
            case contactId = "ContactId"
            case participantId = "ParticipantId"
            case participantToken = "ParticipantToken"
            case continuedFromContactId = "ContinuedFromContactId"
        }
    }

    /// `ParticipantConfiguration`.
    public struct ParticipantConfiguration: Codable, Sendable, Hashable {
        /// `ResponseMode`: `INCREMENTAL` or `COMPLETE`.
        public var responseMode: String?
        /// Creates the configuration.
        public init(responseMode: String? = nil) { self.responseMode = responseMode }
        enum CodingKeys: String, CodingKey { case responseMode = "ResponseMode" }
    }

    /// `ChatMessage`.
    public struct ChatMessage: Codable, Sendable, Hashable {
        /// `ContentType` (required), e.g. `text/plain`.
        public var contentType: String
        /// `Content` (required, 1-16384 characters).
        public var content: String
        /// Creates a message.
        public init(contentType: String, content: String) {
            self.contentType = contentType
            self.content = content
        }
        enum CodingKeys: String, CodingKey {
            case contentType = "ContentType"
            case content = "Content"
        }
    }

    /// `PersistentChat`.
    public struct PersistentChat: Codable, Sendable, Hashable {
        /// `RehydrationType`: `ENTIRE_PAST_SESSION` or `FROM_SEGMENT`.
        public var rehydrationType: String?
        /// `SourceContactId`.
        public var sourceContactId: String?
        /// Creates the settings.
        public init(rehydrationType: String? = nil, sourceContactId: String? = nil) {
            self.rehydrationType = rehydrationType
            self.sourceContactId = sourceContactId
        }
        enum CodingKeys: String, CodingKey {
            case rehydrationType = "RehydrationType"
            case sourceContactId = "SourceContactId"
        }
    }
}
