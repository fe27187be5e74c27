extension ConnectParticipant {
    /// `DisconnectParticipantRequest`.
    public struct DisconnectParticipantRequest: ConnectionTokenRequest, Hashable {
        /// The output shape.
        public typealias Response = DisconnectParticipantResponse
        /// `POST /participant/disconnect`
        public static var operation: ConnectOperation { .disconnectParticipant }

        /// `ClientToken`: idempotency token.
        public var clientToken: String?
        /// `ConnectionToken` (required), bound to header `X-Amz-Bearer`.
        public var connectionToken: String = ""

        /// Creates a request.
        public init(clientToken: String? = nil, connectionToken: String) {
            self.clientToken = clientToken
            self.connectionToken = connectionToken
        }

        enum CodingKeys: String, CodingKey { case clientToken = "ClientToken" }
    }

    /// `DisconnectParticipantResponse`: empty.
    public struct DisconnectParticipantResponse: Codable, Sendable, Hashable {
        /// Creates the empty response.
        public init() {}
    }
}
