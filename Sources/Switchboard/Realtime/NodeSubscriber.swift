import SwitchboardCore
import ContactEngine
import Logging
import RedisClient
import ServiceLifecycle
import Synchronization

/// Whether the node's subscription is up: `/health` reports the node not ready while it is not, since pushes for its
/// sockets would be published to nobody.
final class SubscriptionStatus: Sendable {
    private let state = Mutex<(up: Bool, subscriptions: Int)>((false, 0))

    /// Redis confirmed the subscription; returns true when it is a re-subscription (messages may have been missed).
    func subscribed() -> Bool {
        state.withLock { state in
            state.up = true
            state.subscriptions += 1
            return state.subscriptions > 1
        }
    }

    /// The subscription's connection was lost, or a try to make it again failed; true when it was up until now.
    func lost() -> Bool {
        state.withLock { state in
            defer { state.up = false }
            return state.up
        }
    }

    /// Why the node cannot deliver pushes now: nil when subscribed, `starting` before the first subscription,
    /// `subscription-down` after losing it.
    var notReady: String? {
        state.withLock { $0.up ? nil : $0.subscriptions == 0 ? "starting" : "subscription-down" }
    }
}

/// Receives what is published for this node's sockets on its one pub/sub channel — customer pushes and engine frames
/// for topics — and hands it to the sockets.
/// The client resubscribes by itself after the connection drops (Redis restarted, the link killed, a PING unanswered);
/// what was published meanwhile is lost to pub/sub, so every socket is then caught up from its user's replay log.
struct NodeSubscriber: Service {
    let hub: RealtimeHub
    let frames: HubFrameSink
    let status: SubscriptionStatus

    func run() async throws {
        // On the subscription's own loop, each message reaches the sockets without a thread hop.
        try await withTaskExecutorPreference(hub.redis.taskExecutor()) {
            try await receive()
        }
    }

    private func receive() async throws {
        let (resubscribed, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in resubscribed { await catchUp() }
                }
                let onSubscribed: @Sendable () -> Void = {
                    guard status.subscribed() else { return }
                    hub.sockets.pauseAll()
                    signal.yield()
                }
                let onDisconnected: @Sendable () -> Void = {
                    // Logged once per outage, not once per try to subscribe again.
                    guard status.lost() else { return }
                    hub.logger.warning("node channel subscription lost; pushes are caught up from the replay logs once it is back")
                }
                let deliver: (AsyncStream<RedisMessage>) async -> Void = { messages in
                    for await message in messages {
                        // Engine frames are JSON objects; customer pushes start with their eventId (lua/realtime_push.lua).
                        let text = message.text
                        if text.utf8.first == UInt8(ascii: "{") { frames.deliver(text) } else { hub.sockets.deliverPush(text) }
                    }
                }
                if hub.redis.isCluster {
                    // A sharded channel in every slot, each on its master: a push's script publishes in its user's slot.
                    let keys = hub.keys, nodeId = hub.nodeId
                    try await hub.redis.subscribeSharded(channel: { keys.shardedNodeChannel(nodeId, slot: $0) },
                                                         onSubscribed: onSubscribed, onDisconnected: onDisconnected, deliver)
                } else {
                    try await hub.redis.subscribe(channels: [hub.keys.nodeChannel(hub.nodeId)], onSubscribed: onSubscribed,
                                                  onDisconnected: onDisconnected, deliver)
                }
                signal.finish()
                try await group.waitForAll()
            }
        }
    }

    /// Replays to every socket what its user was pushed after the last push it was sent. Redis may not serve the replay
    /// logs yet when the subscription is back (a restarted Redis answers SUBSCRIBE while it is still LOADING its data),
    /// so each read is retried for up to `realtime.connectionTtlSeconds`; a socket that still cannot be caught up is
    /// closed with 1012, and its client resumes from its last eventId when it reconnects.
    func catchUp() async {
        let cursors = hub.sockets.cursors()
        var replayed = 0, closed = 0
        let deadline = ContinuousClock.now + .seconds(hub.config.connectionTtlSeconds)
        for (connection, userId, position) in cursors {
            var wait = Duration.milliseconds(50)
            while true {
                do {
                    let frames = try await hub.replay(userId: userId, after: position)
                    hub.sockets.catchUp(connection, with: frames)
                    replayed += frames.count
                    break
                } catch {
                    guard ContinuousClock.now < deadline, !Task.isCancelled, !Task.isShuttingDownGracefully else {
                        hub.logger.warning("could not catch a socket up; closing it so its client resumes", metadata: ["error": "\(error)"])
                        hub.sockets.catchUp(connection, with: [])
                        hub.sockets.close(connection, code: 1012, reason: "reconnect to resume")
                        closed += 1
                        break
                    }
                    try? await Task.sleep(for: wait)
                    wait = min(wait * 2, .seconds(1))
                }
            }
        }
        hub.logger.notice("caught sockets up after the subscription came back",
                          metadata: ["sockets": "\(cursors.count)", "pushes": "\(replayed)", "closed": "\(closed)"])
    }
}
