import SwitchboardCore
import ConnectWire
import Foundation
import Logging
import RedisClient

/// The contact service of `connect.mode: "aws"` (SPEC §5a): contacts live in Amazon Connect. The node records what it
/// knows of each contact (its attributes from the start call, its agent from `CONNECTED_TO_AGENT`) in Redis for
/// `connect.contactRecordTtlSeconds`, under the same keys as the local engine, so events, `inspect` and operators see
/// one shape; a contact the node did not start is looked up once with DescribeContact + GetContactAttributes.
public struct AWSContactService: ContactService {
    package let client: ConnectClient
    package let redis: RedisClient
    package let keys: RedisKeys
    package let connect: ConnectConfig
    package let chatDurationMinutes: Int
    package let lookups: SingleFlight<ContactRecord?>
    package let logger: Logger

    package init(client: ConnectClient, redis: RedisClient, keys: RedisKeys, connect: ConnectConfig, chatDurationSeconds: Int, logger: Logger) {
        self.client = client
        self.redis = redis
        self.keys = keys
        self.connect = connect
        // StartChatContact takes 60-10080 minutes.
        chatDurationMinutes = min(10080, max(60, chatDurationSeconds / 60))
        lookups = SingleFlight()
        self.logger = logger
    }

    /// StartChatContact with the customer's attributes; the contact is recorded before the customer hears of it.
    public func startChat(_ request: StartContactRequest) async throws -> StartedContact {
        let response = try await call(Connect.StartChatContactRequest(
            instanceId: connect.instanceId, contactFlowId: connect.contactFlowId, attributes: request.attributes,
            participantDetails: Connect.ParticipantDetails(displayName: request.customerName), clientToken: UUID().uuidString,
            chatDurationInMinutes: chatDurationMinutes, supportedMessagingContentTypes: ["text/plain"]))
        guard let contactId = response.contactId, let participantId = response.participantId, let token = response.participantToken else {
            throw SwitchboardError.unavailable("Amazon Connect answered StartChatContact without a contact")
        }
        try await store(ContactRecord(id: contactId, channel: "CHAT", initiationMethod: "API", attributes: request.attributes,
                                       customerName: request.customerName, initiatedAt: epochMillis()))
        return StartedContact(contactId: contactId, participantId: participantId, participantToken: token)
    }

    /// StartWebRTCContact, with `RelatedContactId` for an escalation.
    public func startVoice(_ request: StartContactRequest) async throws -> StartedContact {
        let response = try await call(Connect.StartWebRTCContactRequest(
            attributes: request.attributes, clientToken: UUID().uuidString, contactFlowId: connect.contactFlowId, instanceId: connect.instanceId,
            participantDetails: Connect.ParticipantDetails(displayName: request.customerName), relatedContactId: request.relatedContactId))
        guard let contactId = response.contactId, let participantId = response.participantId, let token = response.participantToken,
              let connectionData = response.connectionData else {
            throw SwitchboardError.unavailable("Amazon Connect answered StartWebRTCContact without a contact")
        }
        try await store(ContactRecord(id: contactId, channel: "VOICE", initiationMethod: "WEBRTC_API", attributes: request.attributes,
                                       relatedContactId: request.relatedContactId, customerName: request.customerName, initiatedAt: epochMillis()))
        return StartedContact(contactId: contactId, participantId: participantId, participantToken: token, connectionData: connectionData)
    }

    /// What the node recorded, else what Amazon Connect says (DescribeContact + GetContactAttributes), recorded in turn.
    /// Concurrent lookups of one contact share one pair of calls.
    public func contact(id: String) async throws -> ContactRecord? {
        if let known = ContactRecord(hash: try await redis.hgetall(keys.contact(id))) { return known }
        return try await lookups.run(id) { try await describe(id) }
    }

    /// Records the agent a `CONNECTED_TO_AGENT` event names (the design's contact → agent mapping).
    package func recordAgent(contactId: String, agentArn: String) async throws {
        let key = keys.contact(contactId)
        _ = try await redis.pipeline([
            RedisCommand("HSET", key, "agentArn", agentArn, "agentId", Self.agentId(fromArn: agentArn), "state", "connected"),
            RedisCommand("EXPIRE", key, String(connect.contactRecordTtlSeconds)),
        ])
    }

    /// The agent mapping from `CONNECTED_TO_AGENT` events, kept before the events' pushes are worked out.
    public func observe(_ events: [ContactEvent]) async throws {
        for event in events where event.eventType.uppercased() == "CONNECTED_TO_AGENT" {
            if let arn = event.agentArn, !arn.isEmpty { try await recordAgent(contactId: event.contactId, agentArn: arn) }
        }
    }

    /// SPEC §5a: the agent who handled the contact `contactId` is related to, for a contact flow to route it to them.
    package func preferredAgent(for contactId: String) async throws -> (relatedContactId: String, agentArn: String)? {
        guard let related = try await contact(id: contactId)?.relatedContactId, try await contact(id: related) != nil else { return nil }
        guard let arn = try await redis.hget(keys.contact(related), "agentArn") else { return nil }
        return (related, arn)
    }

    /// The agent id at the end of an agent ARN (`arn:aws:connect:...:instance/<instance>/agent/<id>`).
    package static func agentId(fromArn arn: String) -> String {
        arn.split(separator: "/").last.map(String.init) ?? arn
    }

    private func describe(_ id: String) async throws -> ContactRecord? {
        let described: Connect.DescribeContactResponse
        do {
            described = try await client.send(Connect.DescribeContactRequest(instanceId: connect.instanceId, contactId: id))
        } catch let error where error.code == .resourceNotFound {
            return nil
        } catch {
            throw Self.apiError(error)
        }
        guard let contact = described.contact else { return nil }
        var attributes = contact.attributes ?? [:]
        if attributes.isEmpty {
            attributes = try await call(Connect.GetContactAttributesRequest(instanceId: connect.instanceId,
                                                                            initialContactId: contact.initialContactId ?? id)).attributes ?? [:]
        }
        var record = ContactRecord(id: id, channel: contact.channel?.rawValue ?? "CHAT", initiationMethod: contact.initiationMethod?.rawValue ?? "API",
                                   attributes: attributes, relatedContactId: contact.relatedContactId, initialContactId: contact.initialContactId,
                                   customerName: "Customer", initiatedAt: Int((contact.initiationTimestamp ?? Date()).timeIntervalSince1970 * 1000))
        try await store(record)
        // DescribeContact names the agent by id; its ARN is the contact's with `agent/<id>` for `contact/<id>`.
        if let agentId = contact.agentInfo?.id, let contactArn = contact.arn, let cut = contactArn.range(of: "/contact/") {
            try await recordAgent(contactId: id, agentArn: contactArn[..<cut.lowerBound] + "/agent/" + agentId)
            record.agentId = agentId
        }
        return record
    }

    private func store(_ record: ContactRecord) async throws {
        let key = keys.contact(record.id)
        var hset: [RedisArgument] = ["HSET", .string(key)]
        for (field, value) in record.hashFields { hset += [.string(field), .string(value)] }
        _ = try await redis.pipeline([RedisCommand(hset), RedisCommand("EXPIRE", key, String(connect.contactRecordTtlSeconds))])
    }

    private func call<R: ConnectWireRequest>(_ request: R) async throws -> R.Response {
        do {
            return try await client.send(request)
        } catch {
            logger.warning("Amazon Connect call failed", metadata: ["operation": "\(R.operation.rawValue)", "error": "\(error)"])
            throw Self.apiError(error)
        }
    }

    /// What the customer is told when Amazon Connect refuses or cannot be reached (nothing was created: a start either
    /// returned a contact or failed whole, and its ClientToken keeps a retried one from creating two).
    package static func apiError(_ error: ConnectWireError) -> SwitchboardError {
        if error.transportFailure { return .unavailable("the contact center cannot be reached; try again shortly") }
        switch error.code {
        case .throttling, .limitExceeded:
            return SwitchboardError(.tooManyRequests, "RATE_LIMITED", "the contact center is busy; try again shortly", headers: [.retryAfter: "5"])
        case .invalidParameter, .invalidRequest, .validation:
            return .invalid("the contact center refused the request: \(error.message)")
        case .accessDenied:
            // Our credentials, not the customer's request: say no more to them than that the service is down.
            return .unavailable("the contact center is unavailable")
        default:
            return .unavailable("the contact center is unavailable")
        }
    }
}
