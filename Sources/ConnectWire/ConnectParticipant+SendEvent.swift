extension ConnectParticipant {
    /// `SendEventRequest`.
    public struct SendEventRequest: ConnectionTokenRequest, Hashable {
        /// The output shape.
        public typealias Response = SendEventResponse
        /// `POST /participant/event`
        public static var operation: ConnectOperation { .sendEvent }

        /// `ContentType` (required): one of `EventContentType`.
        public var contentType: String
        /// `Content`: a JSON string, event-specific.
        public var content: String?
        /// `ClientToken`: idempotency token.
        public var clientToken: String?
        /// `ConnectionToken` (required), bound to header `X-Amz-Bearer`.
        public var connectionToken: String = ""

        /// Creates a request.
        public init(contentType: String, content: String? = nil, clientToken: String? = nil, connectionToken: String) {
            self.contentType = contentType
            self.content = content
            self.clientToken = clientToken
            self.connectionToken = connectionToken
        }

        typealias CodingKeys = ConnectParticipant.SendCodingKeys
    }

    /// `SendEventResponse`.
    public struct SendEventResponse: Codable, Sendable, Hashable {
        /// `Id`.
        public var id: String?
        /// `AbsoluteTime`.
        public var absoluteTime: String?

        /// Creates a response.
        public init(id: String? = nil, absoluteTime: String? = nil) {
            self.id = id
            self.absoluteTime = absoluteTime
        }

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case absoluteTime = "AbsoluteTime"
        }
    }
}
