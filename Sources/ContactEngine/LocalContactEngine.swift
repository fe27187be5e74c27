import SwitchboardCore
import ConnectWire
import Crypto
import Foundation
import Logging
import RedisClient

/// The embedded, Connect-compatible contact engine (`connect.mode: "local"`): contacts, participants, transcripts,
/// routing and agents, with all state in Redis so any node serves any request. Steps that must be atomic across nodes
/// are Lua scripts (`lua/routing_*.lua`, `lua/contact_*.lua`, `lua/meeting_leave.lua`).
///
/// The engine is split by concern: `+Start` (new contacts), `+Lifecycle` (connect to agent, end), `+Participants`
/// (tokens and the Participant Service), `+Transcript`, `+Routing` (scripts and their outcomes), `+Agents`.
public struct LocalContactEngine: ContactService {
    package let redis: RedisClient
    package let keys: RedisKeys
    package let events: any EventSink
    package let config: SwitchboardConfig
    package let scripts: RedisScriptSet
    /// Where frames for sockets go (the server's socket hub).
    package let frames: any FrameSink
    /// Where this node listens, for the absolute URLs the engine hands out.
    package let address: ListeningAddress
    package let logger: Logger
    /// Test builds' crash points (`SWITCHBOARD_FAILPOINT`); inert in release builds.
    package let failpoints: Failpoints

    /// Makes the engine; `scripts` must hold every script of `lua/` (loaded at start-up).
    package init(redis: RedisClient, keys: RedisKeys, events: any EventSink, config: SwitchboardConfig, scripts: RedisScriptSet, frames: any FrameSink,
         address: ListeningAddress, logger: Logger, failpoints: Failpoints = .disabled) {
        self.redis = redis
        self.keys = keys
        self.events = events
        self.config = config
        self.scripts = scripts
        self.frames = frames
        self.address = address
        self.logger = logger
        self.failpoints = failpoints
    }

    package var connect: ConnectConfig { config.connect }
    /// How long ended contacts, their transcripts and participants stay readable.
    package var endedRetentionSeconds: Int { config.local.endedRetentionSeconds }
    /// Lifetime of every token the engine hands out.
    package var tokenTtlSeconds: Int { config.local.participantTokenTtlSeconds }

    /// The contact, or `nil`.
    public func contact(id: String) async throws -> ContactRecord? {
        guard Self.isValidId(id) else { return nil }
        return ContactRecord(hash: try await redis.hgetall(keys.contact(id)))
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

    /// The contact with the engine's own fields (participant and attendee ids, meeting id), or `nil`.
    package func loadContact(_ id: String) async throws -> (record: ContactRecord, fields: [String: String])? {
        guard Self.isValidId(id) else { return nil }
        let fields = try await redis.hgetall(keys.contact(id))
        guard let record = ContactRecord(hash: fields) else { return nil }
        return (record, fields)
    }

    /// Appends one lifecycle event of `contact` to the contact-event stream, with the id every try gives it.
    package func emit(_ type: String, _ contact: ContactRecord) async throws {
        try await events.append([EngineEvent(type: type, contact: contact, connect: connect, id: Self.eventId(contactId: contact.id, type: type))])
    }

    /// Runs `contact_transition.lua`: 1 changed, 0 not in an allowed state, -1 unknown.
    package func transition(_ contactId: String, to state: String, from allowed: [String], expireSeconds: Int = 0,
                    fields: [(String, String)] = []) async throws -> Int {
        var args: [RedisArgument] = [.string(state), .string(allowed.joined(separator: ",")), .int(expireSeconds)]
        for (field, value) in fields { args += [.string(field), .string(value)] }
        return try await redis.evalScript(scripts[.contactTransition], keys: [keys.contact(contactId)], args: args).int ?? -1
    }

    /// Sends commands in one round trip and throws the first error reply.
    package func run(_ commands: [RedisCommand]) async throws {
        for reply in try await redis.pipeline(commands) {
            if case .error(let message) = reply { throw RedisError(.server, message) }
        }
    }

    package static func newId() -> String { UUID().uuidString.lowercased() }

    /// 256 random bits, URL-safe base64.
    package static func newToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { ByteEncoding.base64URL(Data($0)) }
    }

    /// What Redis stores instead of a token: its SHA-256, hex.
    package static func hash(_ token: String) -> String {
        ByteEncoding.hex(SHA256.hash(data: Data(token.utf8)))
    }


    /// Ids become key segments and routing arguments: no separators, braces or whitespace, bounded length.
    package static func isValidId(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && !id.contains { $0 == ":" || $0 == "{" || $0 == "}" || $0.isWhitespace }
    }
}
