import RedisClient

/// Every Redis key and channel name, in one place (docs/redis-keys.md documents them).
///
/// Keys a Lua script touches together share one hash tag, so the same scripts run on Redis Cluster: per user and per
/// node for the hub, one per bucket of contacts for the engine's contact data (load spreads over the shards), and
/// one per routing profile for routing decisions (`{routing:<profile>}`).
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

    // MARK: Contacts — one tag per bucket of contacts ({c<bucket>-<n>})
    /// Prefix (with the hash tag of its bucket) of the keys of one contact's data.
    public func contacts(of contactId: String) -> String { contacts(bucket: Self.contactBucket(of: contactId)) }
    /// Prefix (with hash tag) of one bucket of contacts: its contacts' data and its sweeper zsets.
    public func contacts(bucket: Int) -> String { "\(prefix):{\(Self.contactBucketTags[bucket])}" }
    /// HASH of one contact (ContactRecord).
    public func contact(_ id: String) -> String { "\(contacts(of: id)):contact:\(id)" }

    // MARK: Rate limits
    /// Counter of requests of one kind from one IP in one minute window.
    public func rate(_ kind: String, _ ip: String, window: Int) -> String { "\(prefix):rate:\(kind):\(ip):\(window)" }
}
