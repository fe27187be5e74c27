import SwitchboardCore
import ConnectWire
import Foundation
import RedisClient

extension LocalContactEngine {
    /// Which table a bearer token is looked up in.
    package enum TokenKind: Sendable {
        /// The participant token from StartChatContact / StartWebRTCContact / the agent API.
        case participant
        /// The ConnectionToken from CreateParticipantConnection.
        case connection
        /// The token in a participant WebSocket URL.
        case socket
    }

    /// The active participant a token belongs to, with its contact; `AccessDeniedException` for an unknown, expired or
    /// disconnected one, or when the contact has ended.
    package func participant(token: String, kind: TokenKind) async throws -> (ParticipantRecord, ContactRecord) {
        let denied = ConnectWireError(.accessDenied, "The participant token is not valid, has expired, or its contact has ended")
        guard !token.isEmpty, token.utf8.count <= 512 else { throw denied }
        let hash = Self.hash(token)
        let key = switch kind {
        case .participant: keys.participantToken(hash)
        case .connection: keys.connectionToken(hash)
        case .socket: keys.socketToken(hash)
        }
        // The token's key holds `<contactId> <participantId>`, so the participant and its contact are read together.
        guard let ids = try await redis.get(key)?.split(separator: " ").map(String.init), ids.count == 2,
              Self.isValidId(ids[0]) else { throw denied }
        let replies = try await redis.pipeline([RedisCommand("HGETALL", keys.participant(contactId: ids[0], ids[1])),
                                                RedisCommand("HGETALL", keys.contact(ids[0]))])
        for case .error(let message) in replies { throw RedisError(.server, message) }
        guard let participant = ParticipantRecord(id: ids[1], hash: replies[0].stringMap), participant.state == "active",
              participant.contactId == ids[0], let contact = ContactRecord(hash: replies[1].stringMap), !contact.isEnded
        else { throw denied }
        return (participant, contact)
    }

    /// CreateParticipantConnection: a fresh WebSocket URL and connection token for the participant; may be called again
    /// with the same participant token after a drop or reload. The first call with `ConnectParticipant` posts the
    /// customer's participant-joined item (the agent's is posted when it connects).
    package func createConnection(participantToken: String, connectParticipant: Bool)
        async throws -> ConnectParticipant.CreateParticipantConnectionResponse {
        let (participant, contact) = try await participant(token: participantToken, kind: .participant)
        let connectionToken = Self.newToken()
        let socketToken = Self.newToken()
        let ttl = tokenTtlSeconds
        let ids = "\(contact.id) \(participant.id)"
        let replies = try await redis.pipeline([
            RedisCommand(["SET", .string(keys.connectionToken(Self.hash(connectionToken))), .string(ids), "EX", .int(ttl)]),
            RedisCommand(["SET", .string(keys.socketToken(Self.hash(socketToken))), .string(ids), "EX", .int(ttl)]),
            RedisCommand(["HSETNX", .string(keys.participant(contactId: contact.id, participant.id)), "joinedAt", .int(epochMillis())]),
        ])
        if connectParticipant, replies[2].int == 1, participant.role == "CUSTOMER" {
            try await appendItem(contactId: contact.id, initialContactId: contact.initialContactId, participantId: participant.id,
                                 role: .customer, displayName: participant.displayName, type: .event,
                                 contentType: ConnectParticipant.EventContentType.participantJoined, content: nil)
        }
        let expiry = AWSDateFormat.iso8601(Date().addingTimeInterval(Double(ttl)))
        return ConnectParticipant.CreateParticipantConnectionResponse(
            websocket: ConnectParticipant.Websocket(url: "\(webSocketBaseURL)/connect/participant/ws?token=\(socketToken)",
                                                    connectionExpiry: expiry),
            connectionCredentials: ConnectParticipant.ConnectionCredentials(connectionToken: connectionToken, expiry: expiry))
    }

    /// SendMessage / SendEvent: appends the participant's item to the transcript and pushes it to every socket.
    package func send(connectionToken: String, type: ConnectParticipant.ChatItemType, contentType: String,
              content: String?, clientToken: String? = nil) async throws -> ConnectParticipant.Item {
        let (participant, contact) = try await participant(token: connectionToken, kind: .connection)
        return try await appendItem(contactId: contact.id, initialContactId: contact.initialContactId, participantId: participant.id,
                                    role: ConnectParticipant.ParticipantRole(rawValue: participant.role), displayName: participant.displayName,
                                    type: type, contentType: contentType, content: content, clientToken: clientToken)
    }

    /// DisconnectParticipant: the participant leaves (participant-left item) and, customer or agent, the contact ends.
    /// For a voice contact's customer this ends only that voice contact; its related chat goes on.
    package func disconnect(connectionToken: String) async throws {
        let (participant, contact) = try await participant(token: connectionToken, kind: .connection)
        try await redis.hset(keys.participant(contactId: contact.id, participant.id), [("state", "left")])
        try await appendItem(contactId: contact.id, initialContactId: contact.initialContactId, participantId: participant.id,
                             role: ConnectParticipant.ParticipantRole(rawValue: participant.role), displayName: participant.displayName,
                             type: .event, contentType: ConnectParticipant.EventContentType.participantLeft, content: nil)
        try await endContact(contact.id, reason: participant.role == "AGENT" ? "AGENT_DISCONNECT" : "CUSTOMER_DISCONNECT")
    }
}
