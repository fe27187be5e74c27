extension ConnectParticipant {
    /// `Item`: one transcript entry. The same JSON, as a string, is the `content` of an `aws/chat` WebSocket frame.
    public struct Item: Codable, Sendable, Hashable {
        /// `AbsoluteTime`: ISO 8601 with milliseconds (`AWSDateFormat.iso8601`).
        public var absoluteTime: String?
        /// `Content`.
        public var content: String?
        /// `ContentType`.
        public var contentType: String?
        /// `Id`.
        public var id: String?
        /// `Type`.
        public var type: ChatItemType?
        /// `ParticipantId`.
        public var participantId: String?
        /// `DisplayName`.
        public var displayName: String?
        /// `ParticipantRole`.
        public var participantRole: ParticipantRole?
        /// `Attachments`.
        public var attachments: [AttachmentItem]?
        /// `MessageMetadata`.
        public var messageMetadata: MessageMetadata?
        /// `RelatedContactId`.
        public var relatedContactId: String?
        /// `ContactId`.
        public var contactId: String?
        /// `InitialContactId`: not in the `Item` shape, but Amazon Connect adds it to WebSocket items and chat clients
        /// read it there; SDKs ignore it in `GetTranscript`.
        public var initialContactId: String?

        /// Creates an item.
        public init(
            absoluteTime: String? = nil, content: String? = nil, contentType: String? = nil, id: String? = nil, type: ChatItemType? = nil,
            participantId: String? = nil, displayName: String? = nil, participantRole: ParticipantRole? = nil,
            attachments: [AttachmentItem]? = nil, messageMetadata: MessageMetadata? = nil, relatedContactId: String? = nil,
            contactId: String? = nil, initialContactId: String? = nil
        ) {
            self.absoluteTime = absoluteTime
            self.content = content
            self.contentType = contentType
            self.id = id
            self.type = type
            self.participantId = participantId
            self.displayName = displayName
            self.participantRole = participantRole
            self.attachments = attachments
            self.messageMetadata = messageMetadata
            self.relatedContactId = relatedContactId
            self.contactId = contactId
            self.initialContactId = initialContactId
        }

        enum CodingKeys: String, CodingKey {
            case absoluteTime = "AbsoluteTime"
            case content = "Content"
            case contentType = "ContentType"
            case id = "Id"
            case type = "Type"
            case participantId = "ParticipantId"
            case displayName = "DisplayName"
            case participantRole = "ParticipantRole"
            case attachments = "Attachments"
            case messageMetadata = "MessageMetadata"
            case relatedContactId = "RelatedContactId"
            case contactId = "ContactId"
            case initialContactId = "InitialContactId"
        }
    }

    /// `AttachmentItem`.
    public struct AttachmentItem: Codable, Sendable, Hashable {
        /// `ContentType`.
        public var contentType: String?
        /// `AttachmentId`.
        public var attachmentId: String?
        /// `AttachmentName`.
        public var attachmentName: String?
        /// `Status`: `APPROVED`, `REJECTED` or `IN_PROGRESS`.
        public var status: String?

        /// Creates an attachment item.
        public init(contentType: String? = nil, attachmentId: String? = nil, attachmentName: String? = nil, status: String? = nil) {
            self.contentType = contentType
            self.attachmentId = attachmentId
            self.attachmentName = attachmentName
            self.status = status
        }

        enum CodingKeys: String, CodingKey {
            case contentType = "ContentType"
            case attachmentId = "AttachmentId"
            case attachmentName = "AttachmentName"
            case status = "Status"
        }
    }

    /// `MessageMetadata`.
    public struct MessageMetadata: Codable, Sendable, Hashable {
        /// `MessageId`.
        public var messageId: String?
        /// `Receipts`.
        public var receipts: [Receipt]?
        /// `MessageProcessingStatus`.
        public var messageProcessingStatus: String?

        /// Creates the metadata.
        public init(messageId: String? = nil, receipts: [Receipt]? = nil, messageProcessingStatus: String? = nil) {
            self.messageId = messageId
            self.receipts = receipts
            self.messageProcessingStatus = messageProcessingStatus
        }

        enum CodingKeys: String, CodingKey {
            case messageId = "MessageId"
            case receipts = "Receipts"
            case messageProcessingStatus = "MessageProcessingStatus"
        }
    }

    /// `Receipt`.
    public struct Receipt: Codable, Sendable, Hashable {
        /// `DeliveredTimestamp`: ISO 8601.
        public var deliveredTimestamp: String?
        /// `ReadTimestamp`: ISO 8601.
        public var readTimestamp: String?
        /// `RecipientParticipantId`.
        public var recipientParticipantId: String?

        /// Creates a receipt.
        public init(deliveredTimestamp: String? = nil, readTimestamp: String? = nil, recipientParticipantId: String? = nil) {
            self.deliveredTimestamp = deliveredTimestamp
            self.readTimestamp = readTimestamp
            self.recipientParticipantId = recipientParticipantId
        }

        enum CodingKeys: String, CodingKey {
            case deliveredTimestamp = "DeliveredTimestamp"
            case readTimestamp = "ReadTimestamp"
            case recipientParticipantId = "RecipientParticipantId"
        }
    }
}
