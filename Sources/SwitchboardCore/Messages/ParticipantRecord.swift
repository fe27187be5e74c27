/// A participant of a contact of the embedded engine (customer or agent), as stored in Redis.
package struct ParticipantRecord: Sendable, Equatable {
    /// Participant id.
    package var id: String
    /// The contact it belongs to.
    package var contactId: String
    /// `CUSTOMER` or `AGENT`.
    package var role: String
    /// Name shown on its transcript items.
    package var displayName: String
    /// `active`, or `left` after DisconnectParticipant or the contact's end.
    package var state: String

    /// Reads the participant hash; `nil` when missing or incomplete.
    package init?(id: String, hash: [String: String]) {
        guard let contactId = hash["contactId"], let role = hash["role"] else { return nil }
        self.id = id
        self.contactId = contactId
        self.role = role
        displayName = hash["displayName"] ?? role.capitalized
        state = hash["state"] ?? "active"
    }
}
