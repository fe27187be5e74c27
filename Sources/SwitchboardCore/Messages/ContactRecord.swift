/// A contact as the product sees it, whichever engine holds it (local engine in Redis, or Amazon Connect).
public struct ContactRecord: Sendable, Equatable {
    /// Contact id.
    public var id: String
    /// Amazon Connect channel: `CHAT` or `VOICE`.
    public var channel: String
    /// Connect's initiation method of the contact: `API` (chat) or `WEBRTC_API` (voice).
    public var initiationMethod: String
    /// Contact attributes (SPEC §3: userId, InitiationMethod, interactionMode, relatedContactId).
    public var attributes: [String: String]
    /// Related contact (the chat a voice contact escalates from).
    public var relatedContactId: String?
    /// First contact of the chain; the contact itself unless transferred.
    public var initialContactId: String
    /// `initiated`, `queued`, `connected` or `ended`.
    public var state: String
    /// Agent handling it, once connected.
    public var agentId: String?
    /// Queue it waits in.
    public var queue: String?
    /// Customer's display name.
    public var customerName: String
    /// Milliseconds since the epoch.
    public var initiatedAt: Int
    /// Milliseconds since the epoch.
    public var connectedAt: Int?
    /// Milliseconds since the epoch.
    public var endedAt: Int?
    /// Why it ended (`CUSTOMER_DISCONNECT`, `AGENT_DISCONNECT`, `API`...).
    public var disconnectReason: String?

    /// The customer's user id from the attributes.
    public var userId: String? { attributes["userId"] }
    /// Whether the contact is over.
    public var isEnded: Bool { state == "ended" }
    /// `chat` or `voice`, as the agent API and routing name channels.
    public var lowerChannel: String { channel.lowercased() }

    /// Makes a record.
    public init(id: String, channel: String, initiationMethod: String, attributes: [String: String], relatedContactId: String? = nil,
                initialContactId: String? = nil, state: String = "initiated", agentId: String? = nil, queue: String? = nil,
                customerName: String, initiatedAt: Int, connectedAt: Int? = nil, endedAt: Int? = nil, disconnectReason: String? = nil) {
        self.id = id
        self.channel = channel
        self.initiationMethod = initiationMethod
        self.attributes = attributes
        self.relatedContactId = relatedContactId
        self.initialContactId = initialContactId ?? id
        self.state = state
        self.agentId = agentId
        self.queue = queue
        self.customerName = customerName
        self.initiatedAt = initiatedAt
        self.connectedAt = connectedAt
        self.endedAt = endedAt
        self.disconnectReason = disconnectReason
    }
}

extension ContactRecord {
    /// The Redis hash fields of the record; each attribute is a field of its own, `attr:<name>`, so that reading a
    /// contact parses no JSON and `redis-cli HGETALL` shows them as they are.
    package var hashFields: [(String, String)] {
        var fields: [(String, String)] = [
            ("id", id), ("channel", channel), ("initiationMethod", initiationMethod), ("initialContactId", initialContactId),
            ("state", state), ("customerName", customerName), ("initiatedAt", String(initiatedAt)),
        ]
        fields += attributes.sorted { $0.key < $1.key }.map { (Self.attributePrefix + $0.key, $0.value) }
        if let relatedContactId { fields.append(("relatedContactId", relatedContactId)) }
        if let agentId { fields.append(("agentId", agentId)) }
        if let queue { fields.append(("queue", queue)) }
        if let connectedAt { fields.append(("connectedAt", String(connectedAt))) }
        if let endedAt { fields.append(("endedAt", String(endedAt))) }
        if let disconnectReason { fields.append(("disconnectReason", disconnectReason)) }
        return fields
    }

    /// Hash fields holding attributes start with this.
    package static let attributePrefix = "attr:"

    /// The attributes of a contact hash: its `attr:<name>` fields; a record written before those (one `attributes`
    /// field holding a JSON object) is read too, its string values only.
    package static func attributes(_ hash: [String: String]) -> [String: String] {
        var attributes: [String: String] = [:]
        for (field, value) in hash where field.hasPrefix(attributePrefix) { attributes[String(field.dropFirst(attributePrefix.count))] = value }
        if attributes.isEmpty, let json = hash["attributes"] {
            return (try? Wire.decode(StringMembers.self, from: json))?.values ?? [:]
        }
        return attributes
    }

    /// Reads a record from its Redis hash; `nil` when the hash is empty or incomplete.
    package init?(hash: [String: String]) {
        guard let id = hash["id"], let channel = hash["channel"], let initiatedAt = hash["initiatedAt"].flatMap(Int.init) else { return nil }
        let attributes = Self.attributes(hash)
        self.init(id: id, channel: channel, initiationMethod: hash["initiationMethod"] ?? "API", attributes: attributes,
                  relatedContactId: hash["relatedContactId"], initialContactId: hash["initialContactId"], state: hash["state"] ?? "initiated",
                  agentId: hash["agentId"], queue: hash["queue"], customerName: hash["customerName"] ?? "Customer", initiatedAt: initiatedAt,
                  connectedAt: hash["connectedAt"].flatMap(Int.init), endedAt: hash["endedAt"].flatMap(Int.init),
                  disconnectReason: hash["disconnectReason"])
    }
}

/// The string members of a JSON object; members of other types are skipped.
struct StringMembers: Decodable {
    var values: [String: String] = [:]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys {
            if let value = try? container.decode(String.self, forKey: key) { values[key.stringValue] = value }
        }
    }
}
