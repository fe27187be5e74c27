import SwitchboardCore
import ContactEngine
import Hummingbird

/// `GET /aws/preferred-agent?contactId=ID` (SPEC §5a): what a contact flow's Lambda asks to route an escalated contact
/// to the agent of the chat it continues. Authorized by the bridge key, like the event ingest.
struct AWSController: Sendable {
    let contacts: AWSContactService
    let key: BridgeKeyGuard

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("aws/preferred-agent", use: preferredAgent)
    }

    @Sendable func preferredAgent(request: Request, context: AppRequestContext) async throws -> Response {
        try await key.authorize(request, context: context)
        guard let contactId = request.uri.queryParameters.get("contactId"), !contactId.isEmpty else {
            throw SwitchboardError.invalid("\"contactId\" query parameter is required")
        }
        guard let found = try await contacts.preferredAgent(for: contactId) else {
            throw SwitchboardError.notFound("no agent is known for the contact \(contactId) is related to")
        }
        return try jsonResponse(PreferredAgent(contactId: contactId, relatedContactId: found.relatedContactId, agentArn: found.agentArn,
                                               agentId: AWSContactService.agentId(fromArn: found.agentArn)))
    }
}

/// `/aws/preferred-agent`'s answer: the agent who last had the customer's related contact.
struct PreferredAgent: Encodable {
    var contactId: String
    var relatedContactId: String
    var agentArn: String
    var agentId: String
}
