/// Every Redis key and channel name, in one place (docs/redis-keys.md documents them).
///
/// Keys a Lua script touches together share one hash tag (`{rt}`, `{contacts}`, `{routing}`), so the same
/// scripts run on Redis Cluster.
public struct RedisKeys: Sendable {
    /// `redis.keyPrefix`, e.g. `sb`.
    public let prefix: String

    /// Makes key names under `prefix`.
    public init(prefix: String) { self.prefix = prefix }

    // MARK: Real-time hub — tag {rt}
    /// Prefix (with hash tag) handed to the realtime scripts as KEYS[1].
    public var realtime: String { "\(prefix):{rt}" }
    /// HASH of one customer socket: userId, node, createdAt. Expires after `realtime.connectionTtlSeconds` without traffic.
    public func connection(_ id: String) -> String { "\(realtime):conn:\(id)" }
    /// SET of connection ids of one user.
    public func userConnections(_ userId: String) -> String { "\(realtime):user:\(userId):conns" }
    /// SET of connection ids a node holds (purged when the node dies).
    public func nodeConnections(_ nodeId: String) -> String { "\(realtime):node:\(nodeId):conns" }
    /// STRING with a short TTL while the node is alive.
    public func nodeAlive(_ nodeId: String) -> String { "\(realtime):node:\(nodeId):alive" }
    /// SET of node ids that have registered connections.
    public var nodes: String { "\(realtime):nodes" }
    /// Pub/sub channel on which a node receives pushes for its sockets.
    public func nodeChannel(_ nodeId: String) -> String { "\(realtime):node:\(nodeId)" }
    /// Capped STREAM of a user's pushes, for replay after reconnect.
    public func replay(_ userId: String) -> String { "\(realtime):replay:\(userId)" }

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
