import SwitchboardCore
import RedisClient

/// What a routing script decided, to be told to agents: `{offers, withdrawn, connected[, more]}` (docs/routing.md).
package struct RoutingOutcome: Sendable, Equatable {
    /// A new offer of a contact to an agent.
    package struct Offer: Sendable, Equatable { package var contactId: String; package var agentId: String }
    /// An offer taken back, with the reason (`timeout`, `rejected`, `offline`, `ended`).
    package struct Withdrawal: Sendable, Equatable { var contactId: String; var agentId: String; var reason: String }

    package var offers: [Offer] = []
    package var withdrawn: [Withdrawal] = []
    /// Auto-accepted contacts (a chat related to the agent's active voice contact).
    package var connected: [Offer] = []
    /// `routing_tick.lua` hit its limit: call again soon.
    package var more = false

    package init() {}

    /// Parses a script's reply; a reply of another shape yields an empty outcome.
    package init(_ reply: RedisReply) {
        let parts = reply.array ?? []
        func strings(_ index: Int) -> [String] { index < parts.count ? parts[index].strings : [] }
        let offers = strings(0)
        self.offers = stride(from: 0, to: offers.count - 1, by: 2).map { Offer(contactId: offers[$0], agentId: offers[$0 + 1]) }
        let withdrawn = strings(1)
        self.withdrawn = stride(from: 0, to: withdrawn.count - 2, by: 3).map {
            Withdrawal(contactId: withdrawn[$0], agentId: withdrawn[$0 + 1], reason: withdrawn[$0 + 2])
        }
        let connected = strings(2)
        self.connected = stride(from: 0, to: connected.count - 1, by: 2).map { Offer(contactId: connected[$0], agentId: connected[$0 + 1]) }
        more = parts.count > 3 && parts[3].int == 1
    }
}
