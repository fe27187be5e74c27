extension Connect {
    /// `GetContactAttributesRequest` — both members are URI labels; there is no body.
    public struct GetContactAttributesRequest: ConnectWireRequest, Hashable {
        /// The output shape.
        public typealias Response = GetContactAttributesResponse
        /// `GET /contact/attributes/{InstanceId}/{InitialContactId}`
        public static var operation: ConnectOperation { .getContactAttributes }

        /// `InstanceId` (required), bound to URI label `{InstanceId}`.
        public var instanceId: String = ""
        /// `InitialContactId` (required), bound to URI label `{InitialContactId}`.
        public var initialContactId: String = ""

        /// Creates a request.
        public init(instanceId: String, initialContactId: String) {
            self.instanceId = instanceId
            self.initialContactId = initialContactId
        }

        /// The URI labels.
        public var pathParameters: [String: String] { ["InstanceId": instanceId, "InitialContactId": initialContactId] }

        /// Reads the URI labels.
        public mutating func bind(pathParameters: [String: String], headers: [HTTPHeader]) throws(ConnectWireError) {
            instanceId = try Self.required(pathParameters["InstanceId"], member: "InstanceId")
            initialContactId = try Self.required(pathParameters["InitialContactId"], member: "InitialContactId")
        }

        enum CodingKeys: CodingKey {}
    }

    /// `GetContactAttributesResponse`.
    public struct GetContactAttributesResponse: Codable, Sendable, Hashable {
        /// `Attributes`.
        public var attributes: [String: String]?
        /// Creates a response.
        public init(attributes: [String: String]? = nil) { self.attributes = attributes }
        enum CodingKeys: String, CodingKey { case attributes = "Attributes" }
    }

    /// `UpdateContactAttributesRequest`. The attributes are merged into the contact's; an empty value clears one.
    public struct UpdateContactAttributesRequest: ConnectWireRequest, Hashable {
        /// The output shape.
        public typealias Response = UpdateContactAttributesResponse
        /// `POST /contact/attributes`
        public static var operation: ConnectOperation { .updateContactAttributes }

        /// `InitialContactId` (required).
        public var initialContactId: String
        /// `InstanceId` (required).
        public var instanceId: String
        /// `Attributes` (required).
        public var attributes: [String: String]

        /// Creates a request.
        public init(initialContactId: String, instanceId: String, attributes: [String: String]) {
            self.initialContactId = initialContactId
            self.instanceId = instanceId
            self.attributes = attributes
        }

        enum CodingKeys: String, CodingKey {
            case initialContactId = "InitialContactId"
            case instanceId = "InstanceId"
            case attributes = "Attributes"
        }
    }

    /// `UpdateContactAttributesResponse`: empty.
    public struct UpdateContactAttributesResponse: Codable, Sendable, Hashable {
        /// Creates the empty response.
        public init() {}
    }
}
