import Synchronization

/// Whether the engine can serve: the configured agents registered in routing, and the engine bus subscribed (offers
/// and chat frames published before that would never reach this node's sockets). Start-up normally registers the
/// agents before the node answers; when Redis is not up yet, the routing ticker does it later. `/health` says
/// `starting` until both are done.
final class EngineReadiness: Sendable {
    private let agentsRegistered: Atomic<Bool>
    private let busSubscribed = Atomic<Bool>(false)

    init(agentsRegistered: Bool) {
        self.agentsRegistered = Atomic(agentsRegistered)
    }

    /// Whether the configured agents are registered in routing.
    var agentsAreRegistered: Bool { agentsRegistered.load(ordering: .acquiring) }

    /// Whether the node can route and deliver.
    var isReady: Bool { agentsAreRegistered && busSubscribed.load(ordering: .acquiring) }

    func markAgentsRegistered() { agentsRegistered.store(true, ordering: .releasing) }

    func markBusSubscribed() { busSubscribed.store(true, ordering: .releasing) }
}
