import Foundation

/// An Amazon Connect contact event as EventBridge delivers it, reduced to what the product reads.
/// Keys are matched case-insensitively (AWS samples use camelCase and PascalCase); unknown fields are ignored.
public struct ContactEvent: Sendable, Equatable {
    /// EventBridge event id: the de-duplication key.
    public var id: String
    /// `detail.eventType`: INITIATED, QUEUED, CONNECTED_TO_AGENT, DISCONNECTED, COMPLETED, ...
    public var eventType: String
    /// `detail.contactId`.
    public var contactId: String
    /// `detail.channel`: CHAT, VOICE, ...
    public var channel: String?
    /// `detail.initiationMethod`: API, WEBRTC_API, ...
    public var initiationMethod: String?
    /// `detail.relatedContactId`.
    public var relatedContactId: String?
    /// `detail.agentInfo.agentArn`.
    public var agentArn: String?

    package static let detailType = "Amazon Connect Contact Event"
    package static let source = "aws.connect"

    /// Validates one event given as JSON text; the error names the bad field (SPEC §5, fixtures/README.md).
    public static func parse(_ text: some StringProtocol) throws(SwitchboardError) -> ContactEvent {
        let text = String(text)
        // The consumer's hot path: EventBridge's own spelling, decoded straight into the members read.
        if let exact = try? Wire.decode(Exact.self, from: text), let fields = exact.fields { return try validate(fields) }
        // Anything else (PascalCase samples, members of the wrong type, not an object) is read as a value, keys ignoring case.
        guard let value = try? Wire.decode(JSONValue.self, from: text) else { throw .invalid("event is not JSON") }
        return try parse(value)
    }

    /// Validates one event already read as JSON (a bridge batch's element).
    package static func parse(_ event: JSONValue) throws(SwitchboardError) -> ContactEvent {
        guard event.isObject else { throw .invalid("event must be a JSON object") }
        let detail = event[caseInsensitive: "detail"]
        return try validate(Fields(
            id: event[caseInsensitive: "id"]?.string, detailType: event[caseInsensitive: "detail-type"]?.string,
            source: event[caseInsensitive: "source"]?.string,
            detail: detail.flatMap { $0.isObject ? Fields.Detail(
                eventType: $0[caseInsensitive: "eventType"]?.string, contactId: $0[caseInsensitive: "contactId"]?.string,
                channel: $0[caseInsensitive: "channel"]?.string, initiationMethod: $0[caseInsensitive: "initiationMethod"]?.string,
                relatedContactId: $0[caseInsensitive: "relatedContactId"]?.string,
                agentArn: $0[caseInsensitive: "agentInfo"]?[caseInsensitive: "agentArn"]?.string) : nil }))
    }

    private static func validate(_ event: Fields) throws(SwitchboardError) -> ContactEvent {
        guard event.detailType == detailType, event.source == source else {
            throw .invalid("\"detail-type\" must be \"\(detailType)\" and \"source\" \"\(source)\": not an Amazon Connect contact event")
        }
        guard let id = event.id, !id.isEmpty else { throw .invalid("\"id\" is missing: every event needs its EventBridge id") }
        guard let detail = event.detail else { throw .invalid("\"detail\" is missing or not an object") }
        guard let eventType = detail.eventType, !eventType.isEmpty else { throw .invalid("\"detail.eventType\" is missing") }
        guard let contactId = detail.contactId, !contactId.isEmpty else { throw .invalid("\"detail.contactId\" is missing") }
        guard id.utf8.count <= 256, contactId.utf8.count <= 256, !contactId.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalid("\"id\" or \"detail.contactId\" is malformed")
        }
        return ContactEvent(id: id, eventType: eventType, contactId: contactId, channel: detail.channel,
                            initiationMethod: detail.initiationMethod, relatedContactId: detail.relatedContactId, agentArn: detail.agentArn)
    }

    /// The members of an event that are read.
    struct Fields {
        struct Detail {
            var eventType, contactId, channel, initiationMethod, relatedContactId, agentArn: String?
        }

        var id, detailType, source: String?
        var detail: Detail?
    }

    /// An event in EventBridge's own spelling.
    struct Exact: Decodable {
        struct Detail: Decodable {
            struct AgentInfo: Decodable {
                var agentArn: String?

                enum CodingKeys: String, CodingKey, CaseIterable { case agentArn }

                init(from decoder: any Decoder) throws {
                    let c = try decoder.container(keyedBy: CodingKeys.self)
                    try Exact.refuseCaseVariants(of: c, in: decoder)
                    agentArn = try c.decodeIfPresent(String.self, forKey: .agentArn)
                }
            }

            var eventType, contactId, channel, initiationMethod, relatedContactId: String?
            var agentInfo: AgentInfo?

            enum CodingKeys: String, CodingKey, CaseIterable { case eventType, contactId, channel, initiationMethod, relatedContactId, agentInfo }

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                try Exact.refuseCaseVariants(of: c, in: decoder)
                eventType = try c.decodeIfPresent(String.self, forKey: .eventType)
                contactId = try c.decodeIfPresent(String.self, forKey: .contactId)
                channel = try c.decodeIfPresent(String.self, forKey: .channel)
                initiationMethod = try c.decodeIfPresent(String.self, forKey: .initiationMethod)
                relatedContactId = try c.decodeIfPresent(String.self, forKey: .relatedContactId)
                agentInfo = try c.decodeIfPresent(AgentInfo.self, forKey: .agentInfo)
            }
        }

        /// Throws when a member `Keys` names is missing but the object has it in another case (`Channel`): read exactly,
        /// it would be missed where the case-insensitive reading (which prefers the exact name) finds it, so the bridge
        /// (which validates that way) and the consumer would read two different events from one text (found by
        /// Tests/Fuzz). Such events take the slow path. This runs for every event a consumer reads, so only missing
        /// names are looked for, and ASCII names are compared without lowercasing copies.
        static func refuseCaseVariants<Keys: CodingKey & CaseIterable>(of container: KeyedDecodingContainer<Keys>, in decoder: any Decoder) throws {
            let missing = Keys.allCases.filter { !container.contains($0) }
            guard !missing.isEmpty else { return }
            for member in try decoder.container(keyedBy: AnyCodingKey.self).allKeys
            where missing.contains(where: { sameIgnoringCase(member.stringValue, $0.stringValue) }) {
                throw CaseVariant()
            }
        }

        /// `a.lowercased() == b.lowercased()`, without copies when `a` is ASCII (`b`, a member name of ours, always is).
        static func sameIgnoringCase(_ a: String, _ b: String) -> Bool {
            guard a.utf8.allSatisfy({ $0 < 0x80 }) else { return a.lowercased() == b.lowercased() }
            guard a.utf8.count == b.utf8.count else { return false }
            return zip(a.utf8, b.utf8).allSatisfy { x, y in x == y || (x | 0x20 == y | 0x20 && (x | 0x20) &- UInt8(ascii: "a") < 26) }
        }

        struct CaseVariant: Error {}

        var id, detailType, source: String?
        var detail: Detail?

        enum CodingKeys: String, CodingKey { case id, detailType = "detail-type", source, detail }

        /// The fields, when the members that must be there are (else the event is read the slow way, which names what is wrong).
        var fields: Fields? {
            guard id != nil, detailType != nil, source != nil, let detail, detail.eventType != nil, detail.contactId != nil else { return nil }
            return Fields(id: id, detailType: detailType, source: source, detail: .init(
                eventType: detail.eventType, contactId: detail.contactId, channel: detail.channel, initiationMethod: detail.initiationMethod,
                relatedContactId: detail.relatedContactId, agentArn: detail.agentInfo?.agentArn))
        }
    }
}

extension ContactEvent {
    /// Builds an event in EventBridge's shape for a contact of the local engine, as Amazon Connect would emit it.
    /// `id` defaults to a new UUID; a step that may run twice passes the same id both times, so the event is one.
    public static func make(type: String, contact: ContactRecord, connect: ConnectConfig, account: String = "000000000000",
                            agentId: String? = nil, now: Date = Date(), id: String = UUID().uuidString.lowercased()) -> String {
        let instanceArn = "arn:aws:connect:\(connect.region):\(account):instance/\(connect.instanceId)"
        let millis = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        func stamp(_ epochMillis: Int) -> String { Date(timeIntervalSince1970: Double(epochMillis) / 1000).formatted(millis) }
        var detail = ConnectEventShape.Detail(
            eventType: type, contactId: contact.id, initialContactId: contact.initialContactId, channel: contact.channel,
            instanceArn: instanceArn, initiationMethod: contact.initiationMethod, initiationTimestamp: stamp(contact.initiatedAt),
            tags: ["aws:connect:instanceId": connect.instanceId], relatedContactId: contact.relatedContactId)
        if let queue = contact.queue, type != "INITIATED" {
            detail.queueInfo = .init(queueArn: "\(instanceArn)/queue/\(queue)", queueType: "STANDARD", enqueueTimestamp: now.formatted(millis))
        }
        if let agent = agentId ?? contact.agentId, ["CONNECTED_TO_AGENT", "DISCONNECTED", "COMPLETED"].contains(type) {
            detail.agentInfo = .init(agentArn: "\(instanceArn)/agent/\(agent)", connectedToAgentTimestamp: stamp(contact.connectedAt ?? 0))
        }
        if type == "DISCONNECTED" {
            detail.disconnectTimestamp = now.formatted(millis)
            detail.disconnectReason = contact.disconnectReason
        }
        return Wire.encode(ConnectEventShape(id: id, account: account, time: now.formatted(.iso8601), region: connect.region,
                                             resources: ["\(instanceArn)/contact/\(contact.id)", instanceArn], detail: detail))
    }
}

/// An Amazon Connect contact event as EventBridge writes it (the fields the local engine fills in).
struct ConnectEventShape: Encodable {
    struct Detail: Encodable {
        struct QueueInfo: Encodable {
            var queueArn: String
            var queueType: String
            var enqueueTimestamp: String
        }

        struct AgentInfo: Encodable {
            var agentArn: String
            var connectedToAgentTimestamp: String
        }

        var eventType, contactId, initialContactId, channel, instanceArn, initiationMethod, initiationTimestamp: String
        var tags: [String: String]
        var relatedContactId: String?
        var queueInfo: QueueInfo?
        var agentInfo: AgentInfo?
        var disconnectTimestamp, disconnectReason: String?
    }

    var version = "0"
    var id: String
    var detailType = ContactEvent.detailType
    var source = ContactEvent.source
    var account: String
    var time: String
    var region: String
    var resources: [String]
    var detail: Detail

    enum CodingKeys: String, CodingKey {
        case version, id, detailType = "detail-type", source, account, time, region, resources, detail
    }
}
