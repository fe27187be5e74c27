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
        guard let value = try? Wire.decode(JSONValue.self, from: String(text)) else { throw .invalid("event is not JSON") }
        return try parse(value)
    }

    /// Validates one event already read as JSON. Keys are matched ignoring case.
    package static func parse(_ event: JSONValue) throws(SwitchboardError) -> ContactEvent {
        guard event.isObject else { throw .invalid("event must be a JSON object") }
        guard event[caseInsensitive: "detail-type"]?.string == detailType, event[caseInsensitive: "source"]?.string == source else {
            throw .invalid("\"detail-type\" must be \"\(detailType)\" and \"source\" \"\(source)\": not an Amazon Connect contact event")
        }
        guard let id = event[caseInsensitive: "id"]?.string, !id.isEmpty else {
            throw .invalid("\"id\" is missing: every event needs its EventBridge id")
        }
        guard let detail = event[caseInsensitive: "detail"], detail.isObject else { throw .invalid("\"detail\" is missing or not an object") }
        guard let eventType = detail[caseInsensitive: "eventType"]?.string, !eventType.isEmpty else {
            throw .invalid("\"detail.eventType\" is missing")
        }
        guard let contactId = detail[caseInsensitive: "contactId"]?.string, !contactId.isEmpty else {
            throw .invalid("\"detail.contactId\" is missing")
        }
        guard id.utf8.count <= 256, contactId.utf8.count <= 256, !contactId.contains(where: { $0 == ":" || $0.isWhitespace }) else {
            throw .invalid("\"id\" or \"detail.contactId\" is malformed")
        }
        return ContactEvent(id: id, eventType: eventType, contactId: contactId, channel: detail[caseInsensitive: "channel"]?.string,
                            initiationMethod: detail[caseInsensitive: "initiationMethod"]?.string,
                            relatedContactId: detail[caseInsensitive: "relatedContactId"]?.string,
                            agentArn: detail[caseInsensitive: "agentInfo"]?[caseInsensitive: "agentArn"]?.string)
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

        var eventType: String
        var contactId: String
        var initialContactId: String
        var channel: String
        var instanceArn: String
        var initiationMethod: String
        var initiationTimestamp: String
        var tags: [String: String]
        var relatedContactId: String?
        var queueInfo: QueueInfo?
        var agentInfo: AgentInfo?
        var disconnectTimestamp: String?
        var disconnectReason: String?
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
