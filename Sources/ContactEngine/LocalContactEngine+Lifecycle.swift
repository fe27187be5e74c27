import SwitchboardCore
import ConnectWire
import Foundation
import RedisClient

extension LocalContactEngine {
    /// Connects a contact to the agent routing gave it (accept or auto-accept): contact state, agent participant,
    /// CONNECTED_TO_AGENT, a participant-joined item, and `contact_connected` to the agent's sockets. Calling it again
    /// for the same agent only re-sends `contact_connected` (with fresh tokens).
    package func connectToAgent(contactId: String, agentId: String, autoAccepted: Bool) async throws {
        guard let (contact, fields) = try await loadContact(contactId) else { return }
        let now = epochMillis()
        let participantId = Self.newId()
        var update: [(String, String)] = [("agentId", agentId), ("connectedAt", String(now)), ("agentParticipantId", participantId)]
        if contact.channel == "VOICE" { update.append(("agentAttendeeId", Self.newId())) }
        let changed = try await transition(contactId, to: "connected", from: ["initiated", "queued"], fields: update)
        if changed == 1 {
            let displayName = agentDisplayName(agentId)
            try await run(participantCommands(id: participantId, contactId: contactId, role: "AGENT", displayName: displayName, joined: true))
            var connected = contact
            connected.state = "connected"
            connected.agentId = agentId
            connected.connectedAt = now
            try await emit("CONNECTED_TO_AGENT", connected)
            try await appendItem(contactId: contactId, initialContactId: contact.initialContactId, participantId: participantId,
                                 role: .agent, displayName: displayName, type: .event,
                                 contentType: ConnectParticipant.EventContentType.participantJoined, content: nil)
        } else if !(fields["state"] == "connected" && fields["agentId"] == agentId) {
            return  // ended meanwhile, or someone else's
        }
        guard let (current, currentFields) = try await loadContact(contactId),
              var frame = try await agentContact(current, fields: currentFields) else { return }
        frame.type = "contact_connected"
        if autoAccepted { frame.autoAccepted = true }
        try await frames.send(frame, to: .agent(agentId))
    }

    /// The agent API's `Contact` for a connected contact, with a fresh participant token for the agent participant
    /// (and a fresh join token for voice): only hashes are stored, so a reloaded app gets new secrets for the same
    /// participant and attendee.
    package func agentContact(_ contact: ContactRecord, fields: [String: String]) async throws -> AgentContact? {
        guard let participantId = fields["agentParticipantId"] else { return nil }
        let token = Self.newToken()
        var commands = [participantTokenCommand(token, contactId: contact.id, participantId: participantId)]
        var frame = AgentContact(contact: contact, participantToken: token, voice: nil)
        if contact.channel == "VOICE", let meetingId = fields["meetingId"], let attendeeId = fields["agentAttendeeId"] {
            let joinToken = Self.newToken()
            commands.append(joinTokenCommand(joinToken, meetingId: meetingId, attendeeId: attendeeId, role: "agent", contactId: contact.id))
            frame.voice = AgentContact.Voice(signalingUrl: "\(webSocketBaseURL)/signaling/\(meetingId)", attendeeId: attendeeId,
                                             joinToken: joinToken, meetingId: meetingId)
        }
        try await run(commands)
        return frame
    }

    /// Ends a contact once, whoever asks: participants leave, a `chat.ended` item is posted, routing frees the agent,
    /// DISCONNECTED and COMPLETED are emitted, the agent gets `contact_ended` and a voice meeting `meeting_ended`.
    /// The state change is committed first (``commitEnd(_:reason:)``); if this node dies after it, another node's
    /// sweeper runs the rest (``finishEnd(_:)``). Returns false when the contact had already ended.
    @discardableResult
    package func endContact(_ contactId: String, reason: String) async throws -> Bool {
        guard try await commitEnd(contactId, reason: reason) else { return false }
        try await finishEnd(contactId)
        return true
    }

    /// Tells the agent (`contact_ended`) and a voice meeting (`meeting_ended`) that the contact ended. A sweeper that
    /// finishes an end a dead node left may send them twice; both are harmless to receive again.
    package func announceEnded(_ contact: ContactRecord, fields: [String: String]) async {
        if let agentId = contact.agentId {
            await sendLogged(AgentContactFrame.contactEnded(contact.id, channel: contact.lowerChannel), to: .agent(agentId))
        }
        if let meetingId = fields["meetingId"] {
            await sendLogged(TypeFrame("meeting_ended"), to: .meeting(meetingId), close: 1000)
        }
    }

    /// The name customers see for an agent.
    package func agentDisplayName(_ agentId: String) -> String {
        config.local.agents.first { $0.username == agentId }?.displayName ?? agentId
    }
}
