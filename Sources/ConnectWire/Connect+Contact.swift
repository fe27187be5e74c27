import Foundation

extension Connect {
    /// `Contact`, the members the contact engine keeps. Timestamps travel as epoch seconds.
    public struct Contact: Codable, Sendable, Hashable {
        /// `Arn`.
        public var arn: String?
        /// `Id`.
        public var id: String?
        /// `InitialContactId`.
        public var initialContactId: String?
        /// `PreviousContactId`.
        public var previousContactId: String?
        /// `InitiationMethod`.
        public var initiationMethod: ContactInitiationMethod?
        /// `Name`.
        public var name: String?
        /// `Description`.
        public var description: String?
        /// `Channel`.
        public var channel: Channel?
        /// `QueueInfo`.
        public var queueInfo: QueueInfo?
        /// `AgentInfo`.
        public var agentInfo: AgentInfo?
        /// `InitiationTimestamp`.
        public var initiationTimestamp: Date?
        /// `DisconnectTimestamp`: set once the contact has ended.
        public var disconnectTimestamp: Date?
        /// `LastUpdateTimestamp`.
        public var lastUpdateTimestamp: Date?
        /// `ConnectedToSystemTimestamp`.
        public var connectedToSystemTimestamp: Date?
        /// `RelatedContactId`.
        public var relatedContactId: String?
        /// `CustomerId`.
        public var customerId: String?
        /// `DisconnectReason`, e.g. `CUSTOMER_DISCONNECT`, `AGENT_DISCONNECT`, `API`.
        public var disconnectReason: String?
        /// `Attributes`.
        public var attributes: [String: String]?

        /// Creates a contact.
        public init(
            arn: String? = nil, id: String? = nil, initialContactId: String? = nil, previousContactId: String? = nil,
            initiationMethod: ContactInitiationMethod? = nil, name: String? = nil, description: String? = nil, channel: Channel? = nil,
            queueInfo: QueueInfo? = nil, agentInfo: AgentInfo? = nil, initiationTimestamp: Date? = nil, disconnectTimestamp: Date? = nil,
            lastUpdateTimestamp: Date? = nil, connectedToSystemTimestamp: Date? = nil, relatedContactId: String? = nil,
            customerId: String? = nil, disconnectReason: String? = nil, attributes: [String: String]? = nil
        ) {
            self.arn = arn
            self.id = id
            self.initialContactId = initialContactId
            self.previousContactId = previousContactId
            self.initiationMethod = initiationMethod
            self.name = name
            self.description = description
            self.channel = channel
            self.queueInfo = queueInfo
            self.agentInfo = agentInfo
            self.initiationTimestamp = initiationTimestamp
            self.disconnectTimestamp = disconnectTimestamp
            self.lastUpdateTimestamp = lastUpdateTimestamp
            self.connectedToSystemTimestamp = connectedToSystemTimestamp
            self.relatedContactId = relatedContactId
            self.customerId = customerId
            self.disconnectReason = disconnectReason
            self.attributes = attributes
        }

        enum CodingKeys: String, CodingKey {
            case arn = "Arn"
            case id = "Id"
            case initialContactId = "InitialContactId"
            case previousContactId = "PreviousContactId"
            case initiationMethod = "InitiationMethod"
            case name = "Name"
            case description = "Description"
            case channel = "Channel"
            case queueInfo = "QueueInfo"
            case agentInfo = "AgentInfo"
            case initiationTimestamp = "InitiationTimestamp"
            case disconnectTimestamp = "DisconnectTimestamp"
            case lastUpdateTimestamp = "LastUpdateTimestamp"
            case connectedToSystemTimestamp = "ConnectedToSystemTimestamp"
            case relatedContactId = "RelatedContactId"
            case customerId = "CustomerId"
            case disconnectReason = "DisconnectReason"
            case attributes = "Attributes"
        }

        /// Decodes, reading timestamps as epoch seconds.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            arn = try c.decodeIfPresent(String.self, forKey: .arn)
            id = try c.decodeIfPresent(String.self, forKey: .id)
            initialContactId = try c.decodeIfPresent(String.self, forKey: .initialContactId)
            previousContactId = try c.decodeIfPresent(String.self, forKey: .previousContactId)
            initiationMethod = try c.decodeIfPresent(ContactInitiationMethod.self, forKey: .initiationMethod)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            description = try c.decodeIfPresent(String.self, forKey: .description)
            channel = try c.decodeIfPresent(Channel.self, forKey: .channel)
            queueInfo = try c.decodeIfPresent(QueueInfo.self, forKey: .queueInfo)
            agentInfo = try c.decodeIfPresent(AgentInfo.self, forKey: .agentInfo)
            initiationTimestamp = try c.decodeEpochSecondsIfPresent(forKey: .initiationTimestamp)
            disconnectTimestamp = try c.decodeEpochSecondsIfPresent(forKey: .disconnectTimestamp)
            lastUpdateTimestamp = try c.decodeEpochSecondsIfPresent(forKey: .lastUpdateTimestamp)
            connectedToSystemTimestamp = try c.decodeEpochSecondsIfPresent(forKey: .connectedToSystemTimestamp)
            relatedContactId = try c.decodeIfPresent(String.self, forKey: .relatedContactId)
            customerId = try c.decodeIfPresent(String.self, forKey: .customerId)
            disconnectReason = try c.decodeIfPresent(String.self, forKey: .disconnectReason)
            attributes = try c.decodeIfPresent([String: String].self, forKey: .attributes)
        }

        /// Encodes, writing timestamps as epoch seconds.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(arn, forKey: .arn)
            try c.encodeIfPresent(id, forKey: .id)
            try c.encodeIfPresent(initialContactId, forKey: .initialContactId)
            try c.encodeIfPresent(previousContactId, forKey: .previousContactId)
            try c.encodeIfPresent(initiationMethod, forKey: .initiationMethod)
            try c.encodeIfPresent(name, forKey: .name)
            try c.encodeIfPresent(description, forKey: .description)
            try c.encodeIfPresent(channel, forKey: .channel)
            try c.encodeIfPresent(queueInfo, forKey: .queueInfo)
            try c.encodeIfPresent(agentInfo, forKey: .agentInfo)
            try c.encodeEpochSecondsIfPresent(initiationTimestamp, forKey: .initiationTimestamp)
            try c.encodeEpochSecondsIfPresent(disconnectTimestamp, forKey: .disconnectTimestamp)
            try c.encodeEpochSecondsIfPresent(lastUpdateTimestamp, forKey: .lastUpdateTimestamp)
            try c.encodeEpochSecondsIfPresent(connectedToSystemTimestamp, forKey: .connectedToSystemTimestamp)
            try c.encodeIfPresent(relatedContactId, forKey: .relatedContactId)
            try c.encodeIfPresent(customerId, forKey: .customerId)
            try c.encodeIfPresent(disconnectReason, forKey: .disconnectReason)
            try c.encodeIfPresent(attributes, forKey: .attributes)
        }
    }

    /// `QueueInfo`.
    public struct QueueInfo: Codable, Sendable, Hashable {
        /// `Id`.
        public var id: String?
        /// `EnqueueTimestamp`.
        public var enqueueTimestamp: Date?

        /// Creates the info.
        public init(id: String? = nil, enqueueTimestamp: Date? = nil) {
            self.id = id
            self.enqueueTimestamp = enqueueTimestamp
        }

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case enqueueTimestamp = "EnqueueTimestamp"
        }

        /// Decodes, reading timestamps as epoch seconds.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeIfPresent(String.self, forKey: .id)
            enqueueTimestamp = try c.decodeEpochSecondsIfPresent(forKey: .enqueueTimestamp)
        }

        /// Encodes, writing timestamps as epoch seconds.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(id, forKey: .id)
            try c.encodeEpochSecondsIfPresent(enqueueTimestamp, forKey: .enqueueTimestamp)
        }
    }

    /// `AgentInfo`, the members the contact engine keeps.
    public struct AgentInfo: Codable, Sendable, Hashable {
        /// `Id`.
        public var id: String?
        /// `AcceptedByAgentTimestamp`.
        public var acceptedByAgentTimestamp: Date?
        /// `ConnectedToAgentTimestamp`.
        public var connectedToAgentTimestamp: Date?

        /// Creates the info.
        public init(id: String? = nil, acceptedByAgentTimestamp: Date? = nil, connectedToAgentTimestamp: Date? = nil) {
            self.id = id
            self.acceptedByAgentTimestamp = acceptedByAgentTimestamp
            self.connectedToAgentTimestamp = connectedToAgentTimestamp
        }

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case acceptedByAgentTimestamp = "AcceptedByAgentTimestamp"
            case connectedToAgentTimestamp = "ConnectedToAgentTimestamp"
        }

        /// Decodes, reading timestamps as epoch seconds.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeIfPresent(String.self, forKey: .id)
            acceptedByAgentTimestamp = try c.decodeEpochSecondsIfPresent(forKey: .acceptedByAgentTimestamp)
            connectedToAgentTimestamp = try c.decodeEpochSecondsIfPresent(forKey: .connectedToAgentTimestamp)
        }

        /// Encodes, writing timestamps as epoch seconds.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(id, forKey: .id)
            try c.encodeEpochSecondsIfPresent(acceptedByAgentTimestamp, forKey: .acceptedByAgentTimestamp)
            try c.encodeEpochSecondsIfPresent(connectedToAgentTimestamp, forKey: .connectedToAgentTimestamp)
        }
    }
}
