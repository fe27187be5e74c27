import ConnectWire
import SwitchboardCore
import Crypto
import Foundation
import RedisClient

extension LocalContactEngine {
    /// Checks an agent's credentials against config (constant time) and opens a session; only the token's hash is stored.
    package func login(username: String, password: String) async throws -> (token: String, agent: LocalConfig.Agent)? {
        let agent = config.local.agents.first { $0.username == username }
        let matches: Bool
        if let hash = agent?.passwordHash {
            matches = PasswordHash.verify(password, against: hash)
        } else {
            matches = ByteEncoding.secretsEqual(password, agent?.password ?? "") && agent != nil
        }
        guard let found = agent, matches else { return nil }
        let token = Self.newToken()
        try await redis.set(keys.agentSession(Self.hash(token)), .string(found.username),
                            expireMilliseconds: config.routing.sessionTtlSeconds * 1000)
        return (token, found)
    }

    /// The agent a session token belongs to, or `nil`.
    package func agentId(session token: String) async throws -> String? {
        guard !token.isEmpty, token.utf8.count <= 512 else { return nil }
        return try await redis.get(keys.agentSession(Self.hash(token)))
    }

    /// Ends a session.
    /// Ends the session, and closes the agent's sockets on every node: a signed-out app must not keep receiving offers.
    package func logout(session token: String) async throws {
        let key = keys.agentSession(Self.hash(token))
        guard let agentId = try await redis.get(key) else { return }
        try await redis.del([key])
        await sendLogged(TypeFrame("logged_out"), to: .agent(agentId), close: 1000)
    }

    /// What a (re)connecting agent app needs: its routing state, its connected contacts (with fresh tokens) and the
    /// offers still waiting for it.
    package func agentSnapshot(_ agentId: String) async throws -> (state: String, contacts: [AgentContact], offers: [OfferFrame]) {
        let profile = config.routingProfile(ofAgent: agentId)
        let agent = try RoutingRecord.decode(RoutingRecord.Agent.self, from: try await redis.hget(keys.routingAgents(profile: profile), agentId))
        var contacts: [AgentContact] = []
        var offers: [OfferFrame] = []
        let held = Array((agent?.chat ?? [:]).keys).sorted() + Array((agent?.voice ?? [:]).keys).sorted()
        let records = held.isEmpty ? [] : try await redis.send(RedisCommand((["HMGET", keys.routingContacts(profile: profile)] + held).map { .string($0) })).array ?? []
        for (contactId, record) in zip(held, records) {
            let routing = try RoutingRecord.decode(RoutingRecord.Contact.self, from: record.string)
            if routing?.state == "offered", routing?.offeredTo == agentId, let offer = try await offerFrame(contactId: contactId, profile: profile) {
                offers.append(offer)
            } else if routing?.state == "connected", routing?.agent == agentId, let (contact, fields) = try await loadContact(contactId),
                      !contact.isEnded, let frame = try await agentContact(contact, fields: fields) {
                contacts.append(frame)
            }
        }
        return (agent?.state ?? "Offline", contacts, offers)
    }

    /// Sets the agent Available or Offline (`routing_agent_state.lua`) and delivers the resulting offers/withdrawals.
    package func setAgentState(_ agentId: String, _ state: String) async throws {
        try await routingStep(.routingAgentState, profile: config.routingProfile(ofAgent: agentId), [.string(agentId), .string(state), .int(epochMillis())])
    }

    /// Accepts an offer. Returns false when the contact is no longer offered to this agent (expired, withdrawn).
    package func accept(agentId: String, contactId: String) async throws -> Bool {
        do {
            try await routingStep(.routingAccept, profile: config.routingProfile(ofAgent: agentId), [.string(contactId), .string(agentId), .int(epochMillis())])
        } catch let error as RedisError where ["NOTOFFERED", "NOCONTACT", "BADARG"].contains(error.serverErrorPrefix.map(String.init)) {
            return false
        }
        try await connectToAgent(contactId: contactId, agentId: agentId, autoAccepted: false)
        return true
    }

    /// Rejects an offer; the contact is routed to someone else. Returns false when it was not offered to this agent.
    package func reject(agentId: String, contactId: String) async throws -> Bool {
        do {
            try await routingStep(.routingReject, profile: config.routingProfile(ofAgent: agentId), [.string(contactId), .string(agentId), .int(epochMillis())])
            return true
        } catch let error as RedisError where ["NOTOFFERED", "NOCONTACT", "BADARG"].contains(error.serverErrorPrefix.map(String.init)) {
            return false
        }
    }

    /// The agent ends one of its contacts (hang up, end chat). Returns false when the contact is not its own.
    package func agentEnd(agentId: String, contactId: String) async throws -> Bool {
        guard let contact = try await contact(id: contactId), contact.agentId == agentId else { return false }
        try await endContact(contactId, reason: "AGENT_DISCONNECT")
        return true
    }

    /// Creates or updates every configured agent in routing (`routing_agent_upsert.lua`), at start-up.
    package func upsertAgents() async throws {
        for agent in config.local.agents {
            try await routingStep(.routingAgentUpsert, profile: config.routingProfile(ofAgent: agent.username),
                                  [.string(agent.username), .int(agent.chatCapacity), .int(agent.voiceCapacity), .int(epochMillis())])
        }
    }
}
