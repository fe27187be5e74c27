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

    static let detailType = "Amazon Connect Contact Event"
    static let source = "aws.connect"

    /// Validates one event given as JSON text; the error names the bad field (SPEC §5, fixtures/README.md).
    public static func parse(_ text: some StringProtocol) throws(APIError) -> ContactEvent {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            throw .invalid("event is not JSON")
        }
        return try parse(value)
    }

    /// Validates one event already parsed by JSONSerialization.
    public static func parse(_ value: Any) throws(APIError) -> ContactEvent {
        guard let object = value as? [String: Any] else { throw .invalid("event must be a JSON object") }
        let event = CaseInsensitiveObject(object)
        guard event.string("detail-type") == detailType, event.string("source") == source else {
            throw .invalid("\"detail-type\" must be \"\(detailType)\" and \"source\" \"\(source)\": not an Amazon Connect contact event")
        }
        guard let id = event.string("id"), !id.isEmpty else { throw .invalid("\"id\" is missing: every event needs its EventBridge id") }
        guard let detail = event.object("detail") else { throw .invalid("\"detail\" is missing or not an object") }
        guard let eventType = detail.string("eventType"), !eventType.isEmpty else { throw .invalid("\"detail.eventType\" is missing") }
        guard let contactId = detail.string("contactId"), !contactId.isEmpty else { throw .invalid("\"detail.contactId\" is missing") }
        guard id.utf8.count <= 256, contactId.utf8.count <= 256, !contactId.contains(where: { $0 == ":" || $0.isWhitespace }) else {
            throw .invalid("\"id\" or \"detail.contactId\" is malformed")
        }
        return ContactEvent(id: id, eventType: eventType, contactId: contactId, channel: detail.string("channel"),
                            initiationMethod: detail.string("initiationMethod"), relatedContactId: detail.string("relatedContactId"),
                            agentArn: detail.object("agentInfo")?.string("agentArn"))
    }
}

/// Dictionary access ignoring key case.
struct CaseInsensitiveObject {
    let object: [String: Any]
    init(_ object: [String: Any]) { self.object = object }

    func value(_ key: String) -> Any? {
        if let exact = object[key] { return exact }
        let lower = key.lowercased()
        return object.first { $0.key.lowercased() == lower }?.value
    }
    func string(_ key: String) -> String? { value(key) as? String }
    func object(_ key: String) -> CaseInsensitiveObject? { (value(key) as? [String: Any]).map(CaseInsensitiveObject.init) }
}

extension ContactEvent {
    /// Builds an event in EventBridge's shape for a contact of the local engine, as Amazon Connect would emit it;
    /// with a random id unless `id` is given.
    public static func make(type: String, contact: ContactRecord, connect: ConnectConfig, account: String = "000000000000",
                            agentId: String? = nil, now: Date = Date(), id: String? = nil) -> String {
        let instanceArn = "arn:aws:connect:\(connect.region):\(account):instance/\(connect.instanceId)"
        let time = ISO8601DateFormatter().string(from: now)
        let millis = ISO8601DateFormatter.withMillis
        var detail: [String: Any] = [
            "eventType": type, "contactId": contact.id, "initialContactId": contact.initialContactId, "channel": contact.channel,
            "instanceArn": instanceArn, "initiationMethod": contact.initiationMethod,
            "initiationTimestamp": millis.string(from: Date(timeIntervalSince1970: Double(contact.initiatedAt) / 1000)),
            "tags": ["aws:connect:instanceId": connect.instanceId],
        ]
        if let related = contact.relatedContactId { detail["relatedContactId"] = related }
        if let queue = contact.queue, type != "INITIATED" {
            detail["queueInfo"] = ["queueArn": "\(instanceArn)/queue/\(queue)", "queueType": "STANDARD",
                                   "enqueueTimestamp": millis.string(from: now)]
        }
        if let agent = agentId ?? contact.agentId, ["CONNECTED_TO_AGENT", "DISCONNECTED", "COMPLETED"].contains(type) {
            detail["agentInfo"] = ["agentArn": "\(instanceArn)/agent/\(agent)",
                                   "connectedToAgentTimestamp": millis.string(from: Date(timeIntervalSince1970: Double(contact.connectedAt ?? 0) / 1000))]
        }
        if type == "DISCONNECTED" {
            detail["disconnectTimestamp"] = millis.string(from: now)
            if let reason = contact.disconnectReason { detail["disconnectReason"] = reason }
        }
        let event: [String: Any] = [
            "version": "0", "id": id ?? UUID().uuidString.lowercased(), "detail-type": detailType, "source": source, "account": account,
            "time": time, "region": connect.region, "resources": ["\(instanceArn)/contact/\(contact.id)", instanceArn], "detail": detail,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension ISO8601DateFormatter {
    /// `2026-05-01T10:15:20.000Z`, as Connect writes timestamps in event details.
    static var withMillis: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
