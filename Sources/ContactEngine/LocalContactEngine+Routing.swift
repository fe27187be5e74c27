import SwitchboardCore
import Foundation
import RedisClient

extension LocalContactEngine {
    /// Runs a routing script for an agent or contact event and delivers what it decided.
    @discardableResult
    package func routingStep(_ script: LuaScript, _ args: [RedisArgument]) async throws -> RoutingOutcome {
        let outcome = RoutingOutcome(try await redis.evalScript(scripts[script], keys: [keys.routing], args: args))
        await deliver(outcome)
        return outcome
    }

    /// One sweep of `routing_tick.lua` (expired offers, lapsed continuity windows, draining free agents).
    package func tick(limit: Int = 100) async throws -> RoutingOutcome {
        try await routingStep(.routingTick, [.int(epochMillis()), .int(limit)])
    }

    /// Tells agents, on whatever node their sockets are, what routing decided. Withdrawals first: a contact may be
    /// withdrawn from one agent and offered to another in the same step. Failures are logged, not thrown: the decision
    /// stands in Redis, and an offer nobody heard of simply times out and is routed again.
    package func deliver(_ outcome: RoutingOutcome) async {
        for withdrawal in outcome.withdrawn {
            await sendLogged(AgentContactFrame.offerWithdrawn(withdrawal.contactId, reason: withdrawal.reason), to: .agent(withdrawal.agentId))
        }
        for offer in outcome.offers {
            do {
                if let frame = try await offerFrame(contactId: offer.contactId) {
                    try await frames.send(frame, to: .agent(offer.agentId))
                }
            } catch {
                logger.error("could not deliver an offer", metadata: ["contact": "\(offer.contactId)", "error": "\(error)"])
            }
        }
        for connected in outcome.connected {
            do {
                try await connectToAgent(contactId: connected.contactId, agentId: connected.agentId, autoAccepted: true)
            } catch {
                logger.error("could not connect an auto-accepted contact", metadata: ["contact": "\(connected.contactId)", "error": "\(error)"])
            }
        }
    }

    /// `{"type":"offer",...}` for a contact currently offered, with its deadline from routing state.
    package func offerFrame(contactId: String) async throws -> OfferFrame? {
        let replies = try await redis.pipeline([RedisCommand("HGETALL", keys.contact(contactId)),
                                                RedisCommand("HGET", keys.routingContact(contactId), "offerDeadline")])
        guard let contact = ContactRecord(hash: replies[0].stringMap) else { return nil }
        return OfferFrame(contact: contact, expiresAt: replies[1].int ?? 0)
    }

    /// Sends a frame and logs (rather than throws) a failure.
    package func sendLogged(_ frame: some Encodable, to topic: SocketTopic, close: UInt16? = nil) async {
        do {
            try await frames.send(frame, to: topic, close: close)
        } catch {
            logger.error("could not send a frame", metadata: ["topic": "\(topic)", "error": "\(error)"])
        }
    }
}
