import Crypto
import Foundation
import RedisClient

/// The embedded, Connect-compatible contact engine (`connect.mode: "local"`): all state in Redis, so any node serves any request.
public struct LocalContactEngine: ContactService {
    let redis: RedisClient
    let keys: RedisKeys
    let events: EventLog
    let connect: ConnectConfig
    /// How long ended contacts stay readable.
    let endedRetentionSeconds = 86_400

    /// Starts a chat contact and announces it on the event stream.
    public func startChat(_ request: StartContactRequest) async throws -> StartedContact {
        let contact = ContactRecord(id: Self.newId(), channel: "CHAT", initiationMethod: "API", attributes: request.attributes,
                                    relatedContactId: request.relatedContactId, customerName: request.customerName, initiatedAt: Self.nowMillis())
        try await save(contact, event: "INITIATED")
        return StartedContact(contactId: contact.id, participantId: Self.newId(), participantToken: Self.newToken())
    }

    /// Starts a WebRTC voice contact and announces it on the event stream.
    public func startVoice(_ request: StartContactRequest) async throws -> StartedContact {
        let contact = ContactRecord(id: Self.newId(), channel: "VOICE", initiationMethod: "WEBRTC_API", attributes: request.attributes,
                                    relatedContactId: request.relatedContactId, customerName: request.customerName, initiatedAt: Self.nowMillis())
        try await save(contact, event: "INITIATED")
        return StartedContact(contactId: contact.id, participantId: Self.newId(), participantToken: Self.newToken(),
                              connectionData: RawJSON("{}"))
    }

    /// The contact, or `nil`.
    public func contact(id: String) async throws -> ContactRecord? {
        ContactRecord(hash: try await redis.hgetall(keys.contact(id)))
    }

    /// Several contacts in one pipelined round trip.
    public func contacts(ids: [String]) async throws -> [String: ContactRecord] {
        let replies = try await redis.pipeline(ids.map { RedisCommand("HGETALL", keys.contact($0)) })
        var records: [String: ContactRecord] = [:]
        for reply in replies {
            if let record = ContactRecord(hash: reply.stringMap) { records[record.id] = record }
        }
        return records
    }

    /// Writes the record and appends the lifecycle event in one round trip.
    func save(_ contact: ContactRecord, event type: String) async throws {
        var hset: [RedisArgument] = ["HSET", .string(keys.contact(contact.id))]
        for (field, value) in contact.hashFields { hset += [.string(field), .string(value)] }
        let event = ContactEvent.make(type: type, contact: contact, connect: connect)
        var commands = [RedisCommand(hset)]
        if contact.isEnded { commands.append(RedisCommand("EXPIRE", keys.contact(contact.id), String(endedRetentionSeconds))) }
        commands.append(RedisCommand(["XADD", .string(events.config.stream), "MAXLEN", "~", .int(events.config.maxLength), "*",
                                      "event", .string(event)]))
        for reply in try await redis.pipeline(commands) {
            if case .error(let message) = reply { throw RedisError(.server, message) }
        }
    }

    static func newId() -> String { UUID().uuidString.lowercased() }

    /// 256 random bits, URL-safe.
    static func newToken() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func nowMillis() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
}
