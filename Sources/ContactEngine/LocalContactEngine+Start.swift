import SwitchboardCore
import ConnectWire
import Foundation
import RedisClient

extension LocalContactEngine {
    /// Starts a chat contact: record, customer participant, INITIATED, then routing (``finishStart(_:)``).
    public func startChat(_ request: StartContactRequest) async throws -> StartedContact {
        try await start(channel: "CHAT", request: request).started
    }

    /// Starts a WebRTC voice contact (with its meeting on this server's signaling relay), then routes it.
    public func startVoice(_ request: StartContactRequest) async throws -> StartedContact {
        let (started, connectionData) = try await start(channel: "VOICE", request: request)
        var result = started
        result.connectionData = connectionData
        return result
    }

    /// Creates the contact in Redis and routes it; what both the customer API and the Connect API call. The writes are one
    /// transaction with a `<C>:starting` entry, so if this node dies before routing is done another node finishes it.
    /// The tokens' keys, outside the contact's bucket, are written just before it: a token whose transaction never ran
    /// names a participant that does not exist, and is refused.
    package func start(channel: String, request: StartContactRequest) async throws -> (started: StartedContact, connectionData: Connect.ConnectionData?) {
        let now = epochMillis()
        let queue = request.queue ?? config.routing.defaultQueue
        guard config.routing.profile(ofQueue: queue) != nil else {
            throw SwitchboardError.invalid("\"queue\" \"\(queue)\" is not a queue of any routing profile (routing.profiles)")
        }
        let contact = ContactRecord(id: Self.newId(), channel: channel, initiationMethod: channel == "CHAT" ? "API" : "WEBRTC_API",
                                    attributes: request.attributes, relatedContactId: request.relatedContactId, state: "initiated",
                                    queue: queue, customerName: request.customerName, initiatedAt: now)
        let participantId = Self.newId()
        let participantToken = Self.newToken()
        var extra: [(String, String)] = [("customerParticipantId", participantId)]
        var commands: [RedisCommand] = []
        var tokens: [RedisCommand] = []
        var connectionData: Connect.ConnectionData?
        if channel == "VOICE" {
            let meetingId = Self.newId()
            let attendeeId = Self.newId()
            let joinToken = Self.newToken()
            extra += [("meetingId", meetingId), ("customerAttendeeId", attendeeId)]
            tokens.append(joinTokenCommand(joinToken, meetingId: meetingId, attendeeId: attendeeId, role: "customer", contactId: contact.id))
            connectionData = self.connectionData(meetingId: meetingId, attendeeId: attendeeId, joinToken: joinToken)
        }
        var hset: [RedisArgument] = ["HSET", .string(keys.contact(contact.id))]
        for (field, value) in contact.hashFields + extra { hset += [.string(field), .string(value)] }
        commands.insert(RedisCommand(hset), at: 0)
        commands += participantCommands(id: participantId, contactId: contact.id, role: "CUSTOMER", displayName: request.customerName)
        tokens.append(participantTokenCommand(participantToken, contactId: contact.id, participantId: participantId))
        let duration = request.durationSeconds ?? (channel == "CHAT" ? config.local.chatDurationSeconds : config.local.voiceDurationSeconds)
        commands.append(RedisCommand(["ZADD", .string(keys.contactDeadlines(of: contact.id)), .int(now + duration * 1000), .string(contact.id)]))
        try await commitStart(contactId: contact.id, commands: commands, tokens: tokens, now: now)
        try await finishStart(contact.id)
        return (StartedContact(contactId: contact.id, participantId: participantId, participantToken: participantToken), connectionData)
    }

    /// StartWebRTCContact's ConnectionData for a meeting on this server: every media URL is the signaling relay.
    package func connectionData(meetingId: String, attendeeId: String, joinToken: String) -> Connect.ConnectionData {
        let signaling = "\(webSocketBaseURL)/signaling/\(meetingId)"
        let base = address.publicBaseURL
        return Connect.ConnectionData(
            attendee: Connect.Attendee(attendeeId: attendeeId, joinToken: joinToken),
            meeting: Connect.Meeting(
                mediaRegion: connect.region,
                mediaPlacement: Connect.MediaPlacement(audioHostUrl: signaling, audioFallbackUrl: signaling, signalingUrl: signaling,
                                                      turnControlUrl: "\(base)/signaling/turn", eventIngestionUrl: "\(base)/signaling/events"),
                meetingFeatures: Connect.MeetingFeaturesConfiguration(audio: Connect.AudioFeatures(echoReduction: "AVAILABLE")),
                meetingId: meetingId))
    }

    /// `node.publicUrl` with `ws`/`wss` instead of `http`/`https`.
    package var webSocketBaseURL: String {
        let base = address.publicBaseURL
        if base.hasPrefix("https://") { return "wss://" + base.dropFirst("https://".count) }
        if base.hasPrefix("http://") { return "ws://" + base.dropFirst("http://".count) }
        return base
    }

    /// The participant's hash; it outlives its tokens by the retention time, as a safety net for contacts never ended.
    package func participantCommands(id: String, contactId: String, role: String, displayName: String, joined: Bool = false) -> [RedisCommand] {
        let key = keys.participant(contactId: contactId, id)
        var fields: [RedisArgument] = ["HSET", .string(key), "contactId", .string(contactId), "role", .string(role),
                                       "displayName", .string(displayName), "state", "active"]
        if joined { fields += ["joinedAt", .int(epochMillis())] }
        return [RedisCommand(fields),
                RedisCommand(["EXPIRE", .string(key), .int(tokenTtlSeconds + endedRetentionSeconds)])]
    }

    /// Stores the hash of a participant token.
    package func participantTokenCommand(_ token: String, contactId: String, participantId: String) -> RedisCommand {
        RedisCommand(["SET", .string(keys.participantToken(Self.hash(token))), .string("\(contactId) \(participantId)"),
                      "EX", .int(tokenTtlSeconds)])
    }

    /// Stores the hash of a signaling join token.
    package func joinTokenCommand(_ token: String, meetingId: String, attendeeId: String, role: String, contactId: String) -> RedisCommand {
        RedisCommand(["SET", .string(keys.joinToken(Self.hash(token))), .string("\(meetingId) \(attendeeId) \(role) \(contactId)"),
                      "EX", .int(tokenTtlSeconds)])
    }
}
