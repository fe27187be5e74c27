import SwitchboardCore
import Logging
import ServiceLifecycle

/// Runs `routing_tick.lua` every `routing.tickIntervalMs` on every node (the script is atomic, so concurrent sweeps
/// are harmless): expired offers, lapsed continuity windows, cooldowns that ended. Calls again at once while the
/// script reports more work. Then sweeps the contact lifecycle: starts and ends a dead node left unfinished, and
/// contacts whose duration ran out (``LocalContactEngine/sweepLifecycle(limit:)``).
package struct RoutingTicker: Service {
    let engine: LocalContactEngine
    /// Whether start-up registered the configured agents; if Redis was down then, the ticker does it first.
    let readiness: EngineReadiness
    let logger: Logger

    package func run() async throws {
        let interval = Duration.milliseconds(max(10, engine.config.routing.tickIntervalMs))
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if !readiness.agentsAreRegistered {
                do {
                    try await engine.upsertAgents()
                    readiness.markAgentsRegistered()
                    logger.info("registered the configured agents")
                } catch {
                    try? await Task.sleep(for: interval)
                    continue
                }
            }
            do {
                var rounds = 0
                while try await engine.tick(), rounds < 100 { rounds += 1 }
            } catch {
                logger.warning("routing tick failed", metadata: ["error": "\(error)"])
            }
            do {
                var rounds = 0
                while try await engine.sweepLifecycle() == 100, rounds < 10 { rounds += 1 }
            } catch {
                logger.warning("sweeping contact starts and ends failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}

extension LocalContactEngine {
    /// The routing ticker of this engine (one per node).
    package func ticker(readiness: EngineReadiness, logger: Logger) -> RoutingTicker {
        RoutingTicker(engine: self, readiness: readiness, logger: logger)
    }
}
