import ConnectWire

/// What the customer API asks of a contact engine: the embedded one, or Amazon Connect in AWS mode.
public protocol ContactService: Sendable {
    /// Starts a chat contact for a customer.
    func startChat(_ request: StartContactRequest) async throws -> StartedContact
    /// Starts a WebRTC voice contact, possibly related to a chat.
    func startVoice(_ request: StartContactRequest) async throws -> StartedContact
    /// The contact with its attributes; `nil` when unknown.
    func contact(id: String) async throws -> ContactRecord?
    /// Several contacts at once (the event consumer's batches); unknown ids are absent from the result.
    func contacts(ids: [String]) async throws -> [String: ContactRecord]
    /// Learns from contact events before their pushes are worked out (AWS mode keeps the contact → agent mapping).
    func observe(_ events: [ContactEvent]) async throws
}

extension ContactService {
    /// Nothing to learn: the local engine made these events itself.
    public func observe(_ events: [ContactEvent]) async throws {}

    /// One lookup after another; engines that can batch override this.
    public func contacts(ids: [String]) async throws -> [String: ContactRecord] {
        var records: [String: ContactRecord] = [:]
        for id in ids { records[id] = try await contact(id: id) }
        return records
    }
}

/// A request to start a contact, already validated by the customer API.
public struct StartContactRequest: Sendable {
    /// Contact attributes to set (SPEC §3).
    public var attributes: [String: String]
    /// Customer's display name.
    public var customerName: String
    /// Related contact, for an escalation.
    public var relatedContactId: String?
    /// How long the contact may last before it is ended as `EXPIRED`; `nil` takes the configured default.
    public var durationSeconds: Int?
    /// The queue it waits in (`routing.profiles`); `nil`: `routing.defaultQueue`.
    public var queue: String?

    /// Makes a request.
    public init(attributes: [String: String], customerName: String, relatedContactId: String?, durationSeconds: Int? = nil, queue: String? = nil) {
        (self.attributes, self.customerName) = (attributes, customerName)
        (self.relatedContactId, self.durationSeconds, self.queue) = (relatedContactId, durationSeconds, queue)
    }
}

/// What starting a contact returns to the customer.
public struct StartedContact: Sendable, Encodable {
    /// New contact id.
    public var contactId: String
    /// The customer participant's id.
    public var participantId: String
    /// Token for the Participant Service.
    public var participantToken: String
    /// StartWebRTCContact's ConnectionData, for voice.
    public var connectionData: Connect.ConnectionData?
    /// The customer's `userToken` (SPEC v2 §3), added by the customer API.
    public var userToken: String?

    /// Makes a result.
    public init(contactId: String, participantId: String, participantToken: String, connectionData: Connect.ConnectionData? = nil) {
        (self.contactId, self.participantId) = (contactId, participantId)
        (self.participantToken, self.connectionData) = (participantToken, connectionData)
    }
}
