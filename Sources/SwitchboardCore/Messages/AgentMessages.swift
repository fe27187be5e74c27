/// What the agent app sends on its socket (docs/agent-api.md).
package struct AgentAction: Decodable, Sendable {
    package var action: String
    package var token: String?
    package var state: String?
    package var contactId: String?
}

/// A contact connected to the agent, with fresh tokens (docs/agent-api.md, `Contact`).
package struct AgentContact: Encodable, Sendable {
    /// How the agent joins a voice contact's call.
    package struct Voice: Encodable, Sendable {
        package var signalingUrl: String
        package var attendeeId: String
        package var joinToken: String
        package var meetingId: String

        package init(signalingUrl: String, attendeeId: String, joinToken: String, meetingId: String) {
            (self.signalingUrl, self.attendeeId) = (signalingUrl, attendeeId)
            (self.joinToken, self.meetingId) = (joinToken, meetingId)
        }
    }

    /// `contact_connected` when sent alone; absent inside `authenticated`.
    package var type: String?
    package var contactId: String
    package var channel: String
    package var relatedContactId: String?
    package var customerName: String
    package var userId: String
    package var participantToken: String
    package var voice: Voice?
    package var autoAccepted: Bool?

    /// The contact as its agent sees it, with the agent participant's fresh token.
    package init(contact: ContactRecord, participantToken: String, voice: Voice?) {
        contactId = contact.id
        channel = contact.lowerChannel
        relatedContactId = contact.relatedContactId
        customerName = contact.customerName
        userId = contact.userId ?? ""
        self.participantToken = participantToken
        self.voice = voice
    }
}

/// `{"type":"offer",...}`: a contact offered to the agent until `expiresAt` (ms since the epoch).
package struct OfferFrame: Encodable, Sendable {
    package let type = "offer"
    package var contactId: String
    package var channel: String
    package var relatedContactId: String?
    package var customerName: String
    package var userId: String
    package var expiresAt: Int

    /// The offer of `contact`, open until `expiresAt`.
    package init(contact: ContactRecord, expiresAt: Int) {
        let shown = AgentContact(contact: contact, participantToken: "", voice: nil)
        (contactId, channel, relatedContactId) = (shown.contactId, shown.channel, shown.relatedContactId)
        (customerName, userId) = (shown.customerName, shown.userId)
        self.expiresAt = expiresAt
    }
}

/// `offer_withdrawn` (with `reason`) or `contact_ended` (with `channel`) for one of the agent's contacts.
package struct AgentContactFrame: Encodable, Sendable {
    package var type: String
    package var contactId: String
    package var reason: String?
    package var channel: String?

    /// The offer is no longer the agent's: `timeout`, `ended`, `rejected`...
    package static func offerWithdrawn(_ contactId: String, reason: String) -> AgentContactFrame {
        AgentContactFrame(type: "offer_withdrawn", contactId: contactId, reason: reason)
    }

    /// The contact ended.
    package static func contactEnded(_ contactId: String, channel: String) -> AgentContactFrame {
        AgentContactFrame(type: "contact_ended", contactId: contactId, channel: channel)
    }
}

/// The answer to `auth`: who the agent is, and everything it holds now.
package struct AuthenticatedFrame: Encodable, Sendable {
    package let type = "authenticated"
    package var agentId: String
    package var displayName: String
    package var state: String
    package var contacts: [AgentContact]
    package var offers: [OfferFrame]

    package init(agentId: String, displayName: String, state: String, contacts: [AgentContact], offers: [OfferFrame]) {
        (self.agentId, self.displayName, self.state, self.contacts, self.offers) = (agentId, displayName, state, contacts, offers)
    }
}

/// `{"type":"state","state"}`: the agent's routing state changed.
package struct StateFrame: Encodable, Sendable {
    package let type = "state"
    package var state: String

    package init(state: String) { self.state = state }
}
