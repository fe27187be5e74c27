import RedisClient

/// Every Redis key and channel name, in one place (docs/redis-keys.md documents them).
///
/// Keys a Lua script touches together share one hash tag, so the same scripts run on Redis Cluster: per user and per
/// node for the hub (load spreads over the shards), `{contacts}` and `{routing}` for the engine.
public struct RedisKeys: Sendable {
    /// `redis.keyPrefix`, e.g. `sb`.
    public let prefix: String

    /// Makes key names under `prefix`.
    public init(prefix: String) { self.prefix = prefix }

    // MARK: Real-time hub — one hash tag per user ({u:<userId>}), one per node ({n:<nodeId>})
    /// ZSET of one user's sockets: member `<connectionId>@<nodeId>`, score the time (ms) it expires unless refreshed by
    /// traffic. The push script reads it to find the nodes to publish to.
    public func userConnections(_ userId: String) -> String { "\(prefix):{u:\(userId)}:conns" }
    /// Capped STREAM of a user's pushes, for replay after reconnect.
    public func replay(_ userId: String) -> String { "\(prefix):{u:\(userId)}:replay" }
    /// STRING marking a push made (`<eventId>:<pushType>`), so a retried event pushes once.
    public func pushDedupe(_ userId: String, _ dedupe: String) -> String { "\(prefix):{u:\(userId)}:dedupe:\(dedupe)" }
    /// SET of the sockets a node holds, as `<connectionId>@<userId>` (purged when the node dies).
    public func nodeConnections(_ nodeId: String) -> String { "\(prefix):{n:\(nodeId)}:conns" }
    /// STRING with a short TTL while the node is alive.
    public func nodeAlive(_ nodeId: String) -> String { "\(prefix):{n:\(nodeId)}:alive" }
    /// SET of node ids that have registered connections.
    public var nodes: String { "\(prefix):{rt}:nodes" }
    /// Pub/sub channel on which a node receives pushes for its sockets.
    public func nodeChannel(_ nodeId: String) -> String { "\(prefix):{rt}:node:\(nodeId)" }
    /// On a Redis Cluster, a node's sharded channel in `slot` (`SSUBSCRIBE`d on the slot's master), named with a tag of
    /// that slot so that a script on the slot's keys can `SPUBLISH` to it; the prefix with `nodeId` empty.
    public func shardedNodeChannel(_ nodeId: String, slot: UInt16) -> String {
        "\(prefix):{\(RedisClusterSlot.tags[Int(slot)])}:node:\(nodeId)"
    }

    // MARK: Contacts — tag {contacts}
    /// Prefix (with hash tag) of contact-engine keys.
    public var contacts: String { "\(prefix):{contacts}" }
    /// HASH of one contact (ContactRecord).
    public func contact(_ id: String) -> String { "\(contacts):contact:\(id)" }

    // MARK: Routing — tag {routing}
    /// Prefix (with hash tag) handed to the routing scripts as KEYS[1] (docs/routing.md).
    public var routing: String { "\(prefix):{routing}" }

    // MARK: Rate limits
    /// Counter of requests of one kind from one IP in one minute window.
    public func rate(_ kind: String, _ ip: String, window: Int) -> String { "\(prefix):rate:\(kind):\(ip):\(window)" }
}
