extension Connect {
    /// `StopContactRequest`.
    public struct StopContactRequest: ConnectWireRequest, Hashable {
        /// The output shape.
        public typealias Response = StopContactResponse
        /// `POST /contact/stop`
        public static var operation: ConnectOperation { .stopContact }

        /// `ContactId` (required).
        public var contactId: String
        /// `InstanceId` (required).
        public var instanceId: String
        /// `DisconnectReason`.
        public var disconnectReason: DisconnectReason?

        /// Creates a request.
        public init(contactId: String, instanceId: String, disconnectReason: DisconnectReason? = nil) {
            self.contactId = contactId
            self.instanceId = instanceId
            self.disconnectReason = disconnectReason
        }

        enum CodingKeys: String, CodingKey {
            case contactId = "ContactId"
            case instanceId = "InstanceId"
            case disconnectReason = "DisconnectReason"
        }
    }

    /// `DisconnectReason`.
    public struct DisconnectReason: Codable, Sendable, Hashable {
        /// `Code`, free text.
        public var code: String?
        /// Creates a reason.
        public init(code: String? = nil) { self.code = code }
        enum CodingKeys: String, CodingKey { case code = "Code" }
    }

    /// `StopContactResponse`: empty.
    public struct StopContactResponse: Codable, Sendable, Hashable {
        /// Creates the empty response.
        public init() {}
    }
}
