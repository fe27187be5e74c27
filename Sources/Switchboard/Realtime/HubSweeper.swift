import SwitchboardCore
import ContactEngine
import Logging
import RedisClient
import ServiceLifecycle

/// Keeps this node's liveness key fresh and purges the socket records of nodes whose key expired (crashed nodes),
/// so pushes stop going to sockets nobody holds.
struct HubSweeper: Service {
    let hub: RealtimeHub

    func run() async throws {
        let interval = Duration.milliseconds(Int(hub.config.sweepIntervalSeconds * 1000))
        // Cancelled on shutdown: the sleep between rounds must not hold the node up.
        try? await cancelWhenGracefulShutdown {
            var first = true
            while !Task.isCancelled {
                do {
                    try await sweep(first: first)
                    first = false
                } catch {
                    hub.logger.warning("hub sweep failed; retrying", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One round: refresh our liveness, purge nodes without one. Returns the number of purged connections.
    ///
    /// Our liveness key gone after the first round means Redis did not hear from us for a whole TTL (a stall, a
    /// restart without data): the other nodes may have purged our socket records meanwhile, so every socket this node
    /// holds is registered again, or pushes for their users would go nowhere.
    @discardableResult
    func sweep(first: Bool = false) async throws -> Int {
        let keys = hub.keys
        let previous = try await hub.redis.send(["SET", .string(keys.nodeAlive(hub.nodeId)), "1", "PX", .int(hub.config.nodeTtlSeconds * 1000), "GET"])
        // A draining node removed its own records (and liveness) on purpose: nothing to register again.
        if previous.isNull, !first, !hub.sockets.isDraining {
            let sockets = hub.sockets.cursors()
            _ = try await hub.register(sockets.map { ($0.connection, $0.userId) })
            hub.logger.warning("this node's liveness had lapsed; its sockets are registered again", metadata: ["sockets": "\(sockets.count)"])
        }
        var purged = 0
        for node in try await hub.redis.smembers(keys.nodes) where node != hub.nodeId {
            let removed = try await hub.purge(node: node, force: false)
            if removed >= 0 {
                hub.logger.notice("purged sockets of a dead node", metadata: ["deadNode": "\(node)", "connections": "\(removed)"])
                purged += removed
            }
        }
        return purged
    }
}

/// Runs first on SIGTERM (it is placed after the HTTP application in the node's service group, and groups stop in
/// reverse order): stop taking sockets and answer `/health` with 503 for `node.drainSeconds`, so a load balancer's
/// checks take the node out before anything closes; then close the sockets with 1012 so clients reconnect elsewhere,
/// and remove this node's socket records; then the application stops accepting and the event consumer finishes its batch.
struct HubDrain: Service {
    let hub: RealtimeHub
    /// `node.drainSeconds`.
    let drainSeconds: Double

    func run() async throws {
        try? await gracefulShutdown()
        hub.sockets.stopAccepting()
        if drainSeconds > 0 {
            hub.logger.notice("draining: /health answers 503; sockets close in \(drainSeconds) s")
            try? await Task.sleep(for: .milliseconds(Int(drainSeconds * 1000)))
        }
        let asked = hub.sockets.drain(code: 1012, reason: "service restart")
        hub.logger.notice("draining: closing sockets with 1012", metadata: ["sockets": "\(asked)"])
        let deadline = ContinuousClock.now + .seconds(5)
        while hub.sockets.count > 0 && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        do {
            _ = try await hub.purge(node: hub.nodeId, force: true)
        } catch {
            hub.logger.warning("could not remove this node's socket records; survivors will purge them", metadata: ["error": "\(error)"])
        }
    }
}
