import Foundation
import SwitchboardCore
import ContactEngine
import Hummingbird
import Logging
import RedisClient
import ServiceLifecycle

/// Where contacts live, with the routes and long-lived services that come with it: the embedded engine (local mode)
/// or Amazon Connect (AWS mode). Built once per node.
struct ContactBackend {
    /// What the customer API and the event consumer ask about contacts.
    let contacts: any ContactService
    /// Local mode: `/connect/**`, the participant socket, `/agent/api/*`, `/agent/ws`, `/signaling/:meetingId`.
    /// AWS mode: `/aws/preferred-agent`.
    let addRoutes: @Sendable (Router<AppRequestContext>) -> Void
    /// Local mode: the routing ticker. AWS mode: the HTTP client's shutdown.
    let services: [any Service]
    /// Whether the backend is ready (`/health` says `starting` until then).
    let isReady: @Sendable () -> Bool
}

/// Upserts the configured agents into routing and assembles the engine (SPEC §6, §7). Redis may still be down: the node
/// starts anyway, reports 503 on `/health`, and registers the agents once Redis answers.
func buildEngine(config: SwitchboardConfig, address: ListeningAddress, redis: RedisClient, scripts: RedisScriptSet,
                 keys: RedisKeys, events: some EventSink, frames: HubFrameSink, failpoints: Failpoints, logger baseLogger: Logger) async throws -> ContactBackend {
    var logger = baseLogger
    logger[metadataKey: "component"] = "engine"
    let engine = LocalContactEngine(redis: redis, keys: keys, events: events, config: config, scripts: scripts, frames: frames,
                                    address: address, logger: logger, failpoints: failpoints)
    // Normally done here, before the node answers; if Redis is not up yet the routing ticker does it once Redis is.
    let readiness: EngineReadiness
    do {
        try await engine.upsertAgents()
        readiness = EngineReadiness(agentsRegistered: true)
    } catch {
        readiness = EngineReadiness(agentsRegistered: false)
        logger.warning("cannot register the configured agents yet; retrying when Redis answers", metadata: ["error": "\(error)"])
    }
    let connect = ConnectController(engine: engine)
    let participants = ParticipantSocket(engine: engine, frames: frames)
    let agents = AgentController(engine: engine, frames: frames)
    let signaling = SignalingSocket(engine: engine, frames: frames)
    return ContactBackend(
        contacts: engine,
        addRoutes: { router in
            // The participant socket first: a constant path, registered before the `/connect/**` catch-all.
            participants.addRoutes(to: router)
            connect.addRoutes(to: router)
            agents.addRoutes(to: router)
            signaling.addRoutes(to: router)
        },
        services: [engine.ticker(readiness: readiness, logger: logger)],
        isReady: { readiness.agentsAreRegistered })
}
