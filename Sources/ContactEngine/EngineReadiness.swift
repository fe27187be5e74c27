import Synchronization

/// Whether the configured agents are registered in routing. Start-up normally registers them before the node
/// answers; when Redis is not up yet, the routing ticker does it later. `/health` says `starting` until then.
package final class EngineReadiness: Sendable {
    private let agentsRegistered: Atomic<Bool>

    package init(agentsRegistered: Bool) {
        self.agentsRegistered = Atomic(agentsRegistered)
    }

    /// Whether the configured agents are registered in routing.
    package var agentsAreRegistered: Bool { agentsRegistered.load(ordering: .acquiring) }

    package func markAgentsRegistered() { agentsRegistered.store(true, ordering: .releasing) }
}
