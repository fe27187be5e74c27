import SwitchboardCore
import ContactEngine
import Foundation
import Hummingbird
import RedisClient

/// `POST /start-chat-contact` and `POST /start-voice-contact` (SPEC §3): validation, rate limit, then the contact engine.
struct CustomerController: Sendable {
    let contacts: any ContactService
    let rateLimiter: RateLimiter
    let security: SecurityConfig
    let tokens: UserTokens
    let clientAddress: ClientAddress

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post("start-chat-contact", use: startChat)
            .post("start-voice-contact", use: startVoice)
    }

    @Sendable func startChat(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await StartBody(request: request, security: security)
        if let method = body.initiationMethod, method != "Chat" {
            throw SwitchboardError.invalid("\"initiationMethod\" of a chat contact must be \"Chat\"")
        }
        try await rateLimiter.check("start-contact", ip: clientAddress.of(request, context: context))
        var attributes = ["userId": body.userId, "InitiationMethod": "Chat", "interactionMode": "chat-only"]
        if let queue = body.queue { attributes["queue"] = queue }
        try checkSize(attributes)
        var started = try await contacts.startChat(StartContactRequest(attributes: attributes, customerName: body.customerName,
                                                                       relatedContactId: nil, queue: body.queue))
        started.userToken = tokens.token(for: body.userId)
        return try jsonResponse(started)
    }

    @Sendable func startVoice(request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await StartBody(request: request, security: security)
        let method = body.initiationMethod ?? "Voice"
        guard ["Chat", "Voice"].contains(method) else { throw SwitchboardError.invalid("\"initiationMethod\" must be \"Chat\" or \"Voice\"") }
        try await rateLimiter.check("start-contact", ip: clientAddress.of(request, context: context))
        var attributes = ["userId": body.userId, "InitiationMethod": method, "interactionMode": "voice-chat"]
        var queue = body.queue
        if let related = body.relatedContactId {
            let contact = try await contacts.contact(id: related)
            guard let contact, contact.channel == "CHAT", !contact.isEnded, contact.userId == body.userId else {
                throw SwitchboardError(.badRequest, "INVALID_RELATED_CONTACT",
                               "relatedContactId must name an active chat contact of the same userId")
            }
            // Design Property 2: an escalation is a chat customer's call, whatever the request said.
            attributes["relatedContactId"] = related
            attributes["InitiationMethod"] = "Chat"
            attributes["interactionMode"] = "escalated"
            // The call goes where its chat is, so that the chat's agent can take it (agent continuity).
            if let asked = body.queue, let chatQueue = contact.queue, asked != chatQueue {
                throw SwitchboardError.invalid("\"queue\" must be left out or be \"\(chatQueue)\", the queue of the related chat contact")
            }
            queue = queue ?? contact.queue
        }
        if let asked = body.queue { attributes["queue"] = asked }
        try checkSize(attributes)
        var started = try await contacts.startVoice(StartContactRequest(attributes: attributes, customerName: body.customerName,
                                                                        relatedContactId: body.relatedContactId, queue: queue))
        started.userToken = tokens.token(for: body.userId)
        return try jsonResponse(started)
    }

    private func checkSize(_ attributes: [String: String]) throws {
        let size = attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if size > security.maxAttributeBytes {
            throw SwitchboardError(.contentTooLarge, "PAYLOAD_TOO_LARGE", "contact attributes exceed \(security.maxAttributeBytes) bytes")
        }
    }
}

/// The JSON body both start routes share, validated.
struct StartBody {
    var userId: String
    var customerName: String
    var initiationMethod: String?
    var relatedContactId: String?
    var queue: String?

    init(request: Request, security: SecurityConfig) async throws {
        let buffer = try await request.body.collect(upTo: security.maxBodyBytes)
        guard let object = try? Wire.decode([String: JSONValue].self, from: buffer.readableBytesView) else {
            throw SwitchboardError.invalid("body must be a JSON object")
        }
        /// A member that must be a string when present.
        func string(_ key: String) throws -> String? {
            guard let value = object[key], value != .null else { return nil }
            guard let text = value.string else { throw SwitchboardError.invalid("\"\(key)\" must be a string") }
            return text
        }
        guard let userId = object["userId"]?.string else { throw SwitchboardError.invalid("\"userId\" is required") }
        guard Self.isValidUserId(userId) else {
            throw SwitchboardError.invalid("\"userId\" must look like user_<uuid> (user_ followed by 36 hex digits and dashes)")
        }
        self.userId = userId
        // Counted as sent, in Unicode code points: what JSON Schema's maxLength counts (docs/openapi.yaml).
        let sentName = try string("customerName") ?? ""
        guard sentName.unicodeScalars.count <= security.maxCustomerNameChars else {
            throw SwitchboardError.invalid("\"customerName\" is longer than \(security.maxCustomerNameChars) characters")
        }
        let name = sentName.trimmingCharacters(in: .whitespacesAndNewlines)
        customerName = name.isEmpty ? "Customer" : name
        initiationMethod = try string("initiationMethod")
        relatedContactId = try string("relatedContactId").flatMap { $0.isEmpty ? nil : $0 }
        queue = try string("queue")
        if let queue, !RoutingConfig.isValidName(queue) {
            throw SwitchboardError.invalid("\"queue\" must be 1 to 64 letters, digits, \"_\", \"-\" or \".\"")
        }
    }

    /// `^user_[0-9a-fA-F-]{36}$`.
    static func isValidUserId(_ id: String) -> Bool {
        let utf8 = Array(id.utf8)
        guard utf8.count == 41, id.hasPrefix("user_") else { return false }
        return utf8[5...].allSatisfy { (48...57).contains($0) || (65...70).contains($0) || (97...102).contains($0) || $0 == 45 }
    }
}

/// Encodes a value as a 200 JSON response.
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    let data = try Wire.data(value)
    return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
