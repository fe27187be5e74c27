extension ConnectParticipant {
    /// `SendMessageRequest`.
    public struct SendMessageRequest: ConnectionTokenRequest, Hashable {
        /// The output shape.
        public typealias Response = SendMessageResponse
        /// `POST /participant/message`
        public static var operation: ConnectOperation { .sendMessage }

        /// `ContentType` (required): `text/plain`, `text/markdown`, `application/json`, ...
        public var contentType: String
        /// `Content` (required, 1-16384 characters).
        public var content: String
        /// `ClientToken`: idempotency token.
        public var clientToken: String?
        /// `ConnectionToken` (required), bound to header `X-Amz-Bearer`.
        public var connectionToken: String = ""

        /// Creates a request.
        public init(contentType: String, content: String, clientToken: String? = nil, connectionToken: String) {
            self.contentType = contentType
            self.content = content
            self.clientToken = clientToken
            self.connectionToken = connectionToken
        }

        typealias CodingKeys = ConnectParticipant.SendCodingKeys
    }

    /// `SendMessageResponse`.
    public struct SendMessageResponse: Codable, Sendable, Hashable {
        /// `Id`: the transcript item id.
        public var id: String?
        /// `AbsoluteTime`: ISO 8601 with milliseconds.
        public var absoluteTime: String?
        /// `MessageMetadata`.
        public var messageMetadata: MessageProcessingMetadata?

        /// Creates a response.
        public init(id: String? = nil, absoluteTime: String? = nil, messageMetadata: MessageProcessingMetadata? = nil) {
            self.id = id
            self.absoluteTime = absoluteTime
            self.messageMetadata = messageMetadata
        }

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case absoluteTime = "AbsoluteTime"
            case messageMetadata = "MessageMetadata"
        }
    }

    /// `MessageProcessingMetadata`.
    public struct MessageProcessingMetadata: Codable, Sendable, Hashable {
        /// `MessageProcessingStatus`: `PROCESSING`, `FAILED` or `REJECTED`.
        public var messageProcessingStatus: String?
        /// Creates the metadata.
        public init(messageProcessingStatus: String? = nil) { self.messageProcessingStatus = messageProcessingStatus }
        enum CodingKeys: String, CodingKey { case messageProcessingStatus = "MessageProcessingStatus" }
    }
}
