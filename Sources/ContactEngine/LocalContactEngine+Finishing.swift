import SwitchboardCore
import ConnectWire
import Crypto
import Foundation
import RedisClient

/// Starting and ending a contact so that a node dying at any point leaves Redis consistent (README, "Contact lifecycle").
///
/// Each is one atomic commit followed by idempotent steps, the last of which removes a sweeper entry the commit wrote:
/// - start: the tokens, then record, customer participant, deadline and an entry in `<C>:starting` (score now + grace) in
///   one MULTI/EXEC (`<C>` is the contact's bucket); then INITIATED (once), `initiated` → `queued`, QUEUED (once),
///   `routing_enqueue.lua` (a second call answers EXISTS), agents told; then, if the contact ended meanwhile,
///   `routing_end.lua`; last, ZREM `<C>:starting`.
/// - end: `contact_end.lua` sets `ended` and re-scores the contact's entry in `<C>:deadlines` to now + grace in one
///   script; then participants leave, `chat.ended` is posted (once), `routing_end.lua` frees the agent, DISCONNECTED and
///   COMPLETED (once each), frames; last, ZREM `<C>:deadlines`.
///
/// Every node's routing ticker calls ``sweepLifecycle(limit:)``, which re-runs the steps of every due entry. An entry is
/// removed only by the last step, after all others succeeded, so work a dead node left is redone until it is complete;
/// and since every step is idempotent, a re-run beside a slow (not dead) node changes nothing twice.
extension LocalContactEngine {
    /// How long the node that commits a start or end has before sweepers finish it.
    package var lifecycleGraceMs: Int { config.local.lifecycleGraceMs }

    // MARK: Start

    /// The start's commit: `commands` (record, participant, deadline) and the `<C>:starting` entry, atomically, after
    /// the `tokens` (their own keys) in the same round trip.
    package func commitStart(contactId: String, commands: [RedisCommand], tokens: [RedisCommand], now: Int) async throws {
        let starting = RedisCommand(["ZADD", .string(keys.contactsStarting(of: contactId)), .int(now + lifecycleGraceMs), .string(contactId)])
        try await runAtomically(commands + [starting], after: tokens)
        failpoints.hit(.startAfterRecord)
    }

    /// The start's follow-up steps, each safe to run again: INITIATED, queued, QUEUED, routing, offers. A contact that
    /// ended before its start was finished is not routed, and if an earlier run routed it, its routing is ended here.
    package func finishStart(_ contactId: String) async throws {
        guard let (contact, _) = try await loadContact(contactId) else {
            try await redis.send(RedisCommand("ZREM", keys.contactsStarting(of: contactId), contactId))  // gone (expired): nothing to finish
            return
        }
        try await emitOnce([("INITIATED", contact)])
        failpoints.hit(.startAfterInitiated)
        if contact.state == "initiated" { _ = try await transition(contactId, to: "queued", from: ["initiated"]) }
        failpoints.hit(.startAfterQueuedState)
        if let state = try await contactState(contactId), state != "ended" {
            var queued = contact
            queued.state = "queued"
            try await emitOnce([("QUEUED", queued)])
            failpoints.hit(.startAfterQueuedEvent)
            let outcome = try await enqueue(contact)
            failpoints.hit(.startAfterEnqueue)
            await deliver(outcome, profile: routingProfile(of: contact))
            failpoints.hit(.startAfterDeliver)
        }
        // An end commits `ended` before it runs routing_end.lua. If that routing_end ran before our enqueue, it found
        // nothing to end, but then the end committed before this read, which sees `ended`: routing is ended here.
        if try await contactState(contactId) == "ended" { try await endRouting(contact) }
        try await redis.send(RedisCommand("ZREM", keys.contactsStarting(of: contactId), contactId))
    }

    /// `routing_enqueue.lua` for a new contact. When an earlier try already routed it (EXISTS), its node may have died
    /// before telling the agent: the offer or auto-accepted connection routing holds is delivered again.
    package func enqueue(_ contact: ContactRecord) async throws -> RoutingOutcome {
        let routing = config.routing
        let profile = routingProfile(of: contact)
        do {
            return RoutingOutcome(try await redis.evalScript(
                scripts[.routingEnqueue], keys: keys.routingScriptKeys(profile: profile),
                args: [.string(contact.id), .string(contact.lowerChannel), .string(contact.queue ?? routing.defaultQueue),
                       .string(contact.relatedContactId ?? ""), .int(epochMillis()), .int(routing.offerTimeoutSeconds * 1000),
                       .int(routing.preferredAgentSeconds * 1000), .int(routing.rejectCooldownSeconds * 1000)]))
        } catch let error as RedisError where error.serverErrorPrefix == "EXISTS" {
            let routed = try await routingContact(contact.id, profile: profile)
            var outcome = RoutingOutcome()
            if routed?.state == "offered", let agentId = routed?.offeredTo {
                outcome.offers = [.init(contactId: contact.id, agentId: agentId)]
            } else if routed?.state == "connected", let agentId = routed?.agent {
                outcome.connected = [.init(contactId: contact.id, agentId: agentId)]
            }
            return outcome
        }
    }

    // MARK: End

    /// The end's commit (`contact_end.lua`): `ended`, `endedAt`, `disconnectReason`, and the deadline entry re-scored to
    /// now + grace. False when the contact is unknown or had already ended.
    package func commitEnd(_ contactId: String, reason: String) async throws -> Bool {
        guard Self.isValidId(contactId) else { return false }
        let now = epochMillis()
        let reply = try await redis.evalScript(
            scripts[.contactEnd], keys: [keys.contact(contactId), keys.contactDeadlines(of: contactId)],
            args: [.string(contactId), "initiated,queued,connected", .int(endedRetentionSeconds), .int(now + lifecycleGraceMs),
                   "endedAt", .int(now), "disconnectReason", .string(reason)])
        guard reply.int == 1 else { return false }
        failpoints.hit(.endAfterCommit)
        return true
    }

    /// The end's follow-up steps for a contact already `ended`, each safe to run again.
    package func finishEnd(_ contactId: String) async throws {
        guard let (contact, fields) = try await loadContact(contactId), contact.state == "ended" else { return }
        var commands: [RedisCommand] = []
        for participant in [fields["customerParticipantId"], fields["agentParticipantId"]].compactMap({ $0 }) {
            commands.append(RedisCommand("HSET", keys.participant(contactId: contactId, participant), "state", "left"))
            commands.append(RedisCommand("EXPIRE", keys.participant(contactId: contactId, participant), String(endedRetentionSeconds)))
        }
        if let meetingId = fields["meetingId"] { commands.append(RedisCommand("DEL", keys.meetingPeers(meetingId))) }
        try await run(commands)
        failpoints.hit(.endAfterParticipants)
        // Posted once: the client token is per contact and remembered as long as the ended contact is kept.
        try await appendItem(contactId: contactId, initialContactId: contact.initialContactId, participantId: "SYSTEM",
                             role: .system, displayName: "SYSTEM_MESSAGE", type: .event,
                             contentType: ConnectParticipant.EventContentType.chatEnded, content: nil,
                             clientToken: "chat.ended:\(contactId)", clientTokenTtlSeconds: endedRetentionSeconds)
        try await redis.send(RedisCommand("EXPIRE", keys.transcript(contactId), String(endedRetentionSeconds)))
        failpoints.hit(.endAfterChatEnded)
        try await endRouting(contact)
        failpoints.hit(.endAfterRoutingEnd)
        try await emitOnce([("DISCONNECTED", contact), ("COMPLETED", contact)])
        failpoints.hit(.endAfterEvents)
        await announceEnded(contact, fields: fields)
        failpoints.hit(.endAfterFrames)
        try await redis.send(RedisCommand("ZREM", keys.contactDeadlines(of: contactId), contactId))
    }

    /// `routing_end.lua`: frees the agent (or takes the contact out of its queue or offer). NOCONTACT: never routed.
    package func endRouting(_ contact: ContactRecord) async throws {
        do {
            try await routingStep(.routingEnd, profile: routingProfile(of: contact),
                                  [.string(contact.id), .int(epochMillis()), .int(endedRetentionSeconds)])
        } catch let error as RedisError where error.serverErrorPrefix == "NOCONTACT" {
            // Never routed (ended before its start reached routing): nothing to free.
        }
    }

    // MARK: Sweeper

    /// One pass over what is due (every node, every routing tick), in every bucket: starts a dead node left unfinished,
    /// ends a dead node left unfinished, and contacts whose duration ran out (ended as `EXPIRED`). Each due entry is first
    /// claimed (`contact_claim.lua`: a lease of `lifecycleGraceMs`), so one node works on it at a time. A failure is
    /// logged and the entry is due again when the lease ends. Returns the most entries due in one zset.
    @discardableResult
    package func sweepLifecycle(limit: Int = 100) async throws -> Int {
        let now = epochMillis()
        let buckets = 0..<RedisKeys.contactBucketCount
        let zsets = buckets.map { keys.contactsStarting(bucket: $0) } + buckets.map { keys.contactDeadlines(bucket: $0) }
        let replies = try await redis.pipeline(zsets.map { zset in
            RedisCommand(["ZRANGE", .string(zset), "-inf", .int(now), "BYSCORE", "LIMIT", "0", .int(limit)])
        })
        for reply in replies { if case .error(let message) = reply { throw RedisError(.server, message) } }
        let claimed = try await claim(zip(zsets, replies).flatMap { zset, reply in reply.strings.map { (zset, $0) } }, now: now)
        for (zset, contactId) in claimed where zset.hasSuffix(":starting") {
            do {
                try await finishStart(contactId)
                logger.notice("finished starting a contact", metadata: ["contactId": "\(contactId)"])
            } catch {
                logger.warning("could not finish starting a contact", metadata: ["contactId": "\(contactId)", "error": "\(error)"])
            }
        }
        for (zset, contactId) in claimed where zset.hasSuffix(":deadlines") {
            do {
                switch try await contactState(contactId) {
                case nil:
                    try await redis.send(RedisCommand("ZREM", zset, contactId))  // expired record
                case "ended":
                    try await finishEnd(contactId)
                    logger.notice("finished ending a contact", metadata: ["contactId": "\(contactId)"])
                default:
                    if try await endContact(contactId, reason: "EXPIRED") {
                        logger.info("contact expired", metadata: ["contactId": "\(contactId)"])
                    }  // else another node ended it just now; its entry is that end's to remove
                }
            } catch {
                logger.warning("could not end a contact", metadata: ["contactId": "\(contactId)", "error": "\(error)"])
            }
        }
        return replies.map(\.strings.count).max() ?? 0
    }

    /// The entries (zset, contactId) this node now holds the lease on (one pipelined round trip).
    package func claim(_ entries: [(zset: String, contactId: String)], now: Int) async throws -> [(zset: String, contactId: String)] {
        guard !entries.isEmpty else { return [] }
        let calls = entries.map { (keys: [$0.zset], args: [RedisArgument.string($0.contactId), .int(now), .int(now + lifecycleGraceMs)]) }
        let replies = try await redis.evalScript(scripts[.contactClaim], calls: calls)
        return zip(entries, replies).compactMap { entry, reply in reply.int == 1 ? entry : nil }
    }

    // MARK: Helpers

    /// The contact's `state`, or nil when there is no such contact.
    package func contactState(_ contactId: String) async throws -> String? {
        guard Self.isValidId(contactId) else { return nil }
        return try await redis.send(RedisCommand("HGET", keys.contact(contactId), "state")).string
    }

    /// Runs `commands` as one MULTI/EXEC transaction (all keys in one contact's bucket), pipelined after `prelude` (not
    /// part of the transaction), and throws the first error reply.
    package func runAtomically(_ commands: [RedisCommand], after prelude: [RedisCommand] = []) async throws {
        let replies = try await redis.pipeline(prelude + [RedisCommand("MULTI")] + commands + [RedisCommand("EXEC")])
        for reply in replies.prefix(prelude.count) { if case .error(let message) = reply { throw RedisError(.server, message) } }
        guard case .array(let results)? = replies.last else {
            let queued = replies.compactMap { if case .error(let message) = $0 { message } else { nil } }
            throw RedisError(.server, "transaction aborted: \(queued.joined(separator: "; "))")
        }
        for result in results { if case .error(let message) = result { throw RedisError(.server, message) } }
    }

    /// Appends lifecycle events, each at most once (`events_append_once.lua`); ids are ``eventId(contactId:type:)``.
    package func emitOnce(_ batch: [(type: String, contact: ContactRecord)]) async throws {
        try await events.appendOnce(batch.map { event throws(SwitchboardError) in
            try EngineEvent(type: event.type, contact: event.contact, connect: connect, id: Self.eventId(contactId: event.contact.id, type: event.type))
        })
    }

    /// The id of the event of type `type` of a contact: the same on every node and every try, so consumers (which
    /// de-duplicate on the id) see one event even if it is sent twice. An RFC 9562 version-8 UUID made from SHA-256.
    package static func eventId(contactId: String, type: String) -> String {
        var bytes = Array(SHA256.hash(data: Data("switchboard:contact-event:\(contactId):\(type)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = ByteEncoding.hex(bytes)
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex[hex.index(hex.startIndex, offsetBy: range.lowerBound)..<hex.index(hex.startIndex, offsetBy: range.upperBound)])
        }
        return groups.joined(separator: "-")
    }
}
