import SwitchboardCore
import Foundation
import RedisClient

extension LocalContactEngine {
    /// Runs a routing script on one profile's routing state for an agent or contact event, and delivers what it decided.
    @discardableResult
    package func routingStep(_ script: LuaScript, profile: String, _ args: [RedisArgument]) async throws -> RoutingOutcome {
        let outcome = RoutingOutcome(try await redis.evalScript(scripts[script], keys: keys.routingScriptKeys(profile: profile), args: args))
        await deliver(outcome, profile: profile)
        return outcome
    }

    /// One sweep of `routing_tick.lua` (expired offers, lapsed continuity windows, draining free agents) in every
    /// routing profile; true when a profile has more to do.
    package func tick(limit: Int = 100) async throws -> Bool {
        var more = false
        for profile in config.routing.profileNames {
            more = try await routingStep(.routingTick, profile: profile, [.int(epochMillis()), .int(limit)]).more || more
        }
        return more
    }

    /// The routing profile whose queue the contact is in (that of `routing.defaultQueue` for a queue no profile lists,
    /// e.g. after an operator removed it).
    package func routingProfile(of contact: ContactRecord) -> String {
        contact.queue.flatMap(config.routing.profile(ofQueue:)) ?? config.routing.defaultProfile
    }

    /// Tells agents, on whatever node their sockets are, what routing decided. Withdrawals first: a contact may be
    /// withdrawn from one agent and offered to another in the same step. Failures are logged, not thrown: the decision
    /// stands in Redis, and an offer nobody heard of simply times out and is routed again.
    package func deliver(_ outcome: RoutingOutcome, profile: String) async {
        for withdrawal in outcome.withdrawn {
            await sendLogged(AgentContactFrame.offerWithdrawn(withdrawal.contactId, reason: withdrawal.reason), to: .agent(withdrawal.agentId))
        }
        for offer in outcome.offers {
            do {
                if let frame = try await offerFrame(contactId: offer.contactId, profile: profile) {
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
    package func offerFrame(contactId: String, profile: String) async throws -> OfferFrame? {
        let replies = try await redis.pipeline([RedisCommand("HGETALL", keys.contact(contactId)),
                                                RedisCommand("HGET", keys.routingContacts(profile: profile), contactId)])
        guard let contact = ContactRecord(hash: replies[0].stringMap) else { return nil }
        let routed = try RoutingRecord.decode(RoutingRecord.Contact.self, from: replies[1].string)
        return OfferFrame(contact: contact, expiresAt: routed?.offerDeadline ?? 0)
    }

    /// Routing's record of a contact; nil when routing does not know it (never routed, or dropped after it ended).
    package func routingContact(_ contactId: String, profile: String) async throws -> RoutingRecord.Contact? {
        try RoutingRecord.decode(RoutingRecord.Contact.self, from: try await redis.hget(keys.routingContacts(profile: profile), contactId))
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
