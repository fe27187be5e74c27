import SwitchboardCore
import ContactEngine
/// The design's rules (SPEC §5): which pushes a contact event causes, given the contact's attributes.
enum EventRules {
    /// Pushes for one event; empty when the event concerns no customer we know.
    static func pushes(for event: ContactEvent, contact: ContactRecord?) -> [RealtimeHub.Push] {
        guard let contact, let userId = contact.userId else { return [] }
        let channel = event.channel ?? contact.channel
        let contactId = event.contactId
        switch event.eventType.uppercased() {
        case "CONNECTED_TO_AGENT":
            var pushes = [RealtimeHub.Push(userId: userId, push: .agentConnected(contactId: contactId, channel: channel),
                                           dedupe: "\(event.id):agent_connected")]
            // Escalation is offered only to contacts the customer started in chat (InitiationMethod attribute).
            if contact.attributes["InitiationMethod"] == "Chat" {
                pushes.append(RealtimeHub.Push(userId: userId, push: .enableEscalation(contactId: contactId, userId: userId),
                                               dedupe: "\(event.id):enable_escalation"))
            }
            return pushes
        case "DISCONNECTED":
            return [RealtimeHub.Push(userId: userId, push: .contactEnded(contactId: contactId, channel: channel),
                                     dedupe: "\(event.id):contact_ended")]
        default:
            return []
        }
    }
}
