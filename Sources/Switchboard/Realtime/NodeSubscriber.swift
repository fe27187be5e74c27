import Logging
import RedisClient
import ServiceLifecycle

/// Receives pushes published for this node's sockets (one pub/sub channel per node) and hands them to the sockets.
/// The client resubscribes by itself after Redis restarts.
struct NodeSubscriber: Service {
    let hub: RealtimeHub

    func run() async throws {
        // On the subscription's own loop, each message reaches the sockets without a thread hop.
        try await withTaskExecutorPreference(hub.redis.taskExecutor()) {
            try await receive()
        }
    }

    private func receive() async throws {
        try await cancelWhenGracefulShutdown {
            try await hub.redis.subscribe(channels: [hub.keys.nodeChannel(hub.nodeId)]) { messages in
                for await message in messages { hub.sockets.deliver(message.text) }
            }
        }
    }
}
