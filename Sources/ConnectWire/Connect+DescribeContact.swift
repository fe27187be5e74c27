extension Connect {
    /// `DescribeContactRequest` — both members are URI labels; there is no body.
    public struct DescribeContactRequest: ConnectWireRequest, Hashable {
        /// The output shape.
        public typealias Response = DescribeContactResponse
        /// `GET /contacts/{InstanceId}/{ContactId}`
        public static var operation: ConnectOperation { .describeContact }

        /// `InstanceId` (required), bound to URI label `{InstanceId}`.
        public var instanceId: String = ""
        /// `ContactId` (required), bound to URI label `{ContactId}`.
        public var contactId: String = ""

        /// Creates a request.
        public init(instanceId: String, contactId: String) {
            self.instanceId = instanceId
            self.contactId = contactId
        }

        /// The URI labels.
        public var pathParameters: [String: String] { ["InstanceId": instanceId, "ContactId": contactId] }

        /// Reads the URI labels.
        public mutating func bind(pathParameters: [String: String], headers: [HTTPHeader]) throws(ConnectWireError) {
            instanceId = try Self.required(pathParameters["InstanceId"], member: "InstanceId")
            contactId = try Self.required(pathParameters["ContactId"], member: "ContactId")
        }

        enum CodingKeys: CodingKey {}
    }

    /// `DescribeContactResponse`.
    public struct DescribeContactResponse: Codable, Sendable, Hashable {
        /// `Contact`.
        public var contact: Contact?
        /// Creates a response.
        public init(contact: Contact? = nil) { self.contact = contact }
        enum CodingKeys: String, CodingKey { case contact = "Contact" }
    }
}
