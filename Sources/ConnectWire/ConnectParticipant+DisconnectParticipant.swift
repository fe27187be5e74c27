extension ConnectParticipant {
    /// `DisconnectParticipantRequest`.
    public struct DisconnectParticipantRequest: ConnectWireRequest, Hashable {
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

        /// `X-Amz-Bearer: <ConnectionToken>`.
        public var boundHeaders: [HTTPHeader] { [HTTPHeader(ConnectParticipant.bearerHeader, connectionToken)] }

        /// Reads `X-Amz-Bearer`.
        public mutating func bind(pathParameters: [String: String], headers: [HTTPHeader]) throws(ConnectWireError) {
            connectionToken = try Self.bearerToken(headers)
        }

        enum CodingKeys: String, CodingKey { case clientToken = "ClientToken" }
    }

    /// `DisconnectParticipantResponse`: empty.
    public struct DisconnectParticipantResponse: Codable, Sendable, Hashable {
        /// Creates the empty response.
        public init() {}
    }
}
