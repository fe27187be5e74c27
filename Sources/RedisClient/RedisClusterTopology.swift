/// Which master serves each slot, as `CLUSTER SLOTS` tells it, and every node address it names.
struct RedisClusterTopology: Sendable {
    /// Masters' `host:port`.
    var masters: [String] = []
    /// Every node named, masters first, then replicas: where a subscription may go.
    var nodes: [String] = []
    /// For each slot, an index into `masters`, or -1 when no master serves it.
    var owner = [Int16](repeating: -1, count: RedisClusterSlot.count)

    /// The master of `slot`, if any.
    func master(of slot: UInt16) -> String? {
        let index = owner[Int(slot)]
        return index >= 0 ? masters[Int(index)] : nil
    }

    /// Reads a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id], [replica...]...], ...]`.
    init(slots reply: RedisReply) throws(RedisError) {
        guard let ranges = reply.array, !ranges.isEmpty else {
            throw RedisError(.unexpectedReply, "CLUSTER SLOTS returned no slots: is redis.mode \"cluster\" right for this Redis?")
        }
        var replicas: [String] = []
        for range in ranges {
            guard let items = range.array, items.count >= 3, let start = items[0].int, let end = items[1].int,
                  0 <= start, start <= end, end < RedisClusterSlot.count,
                  let master = Self.address(items[2]) else {
                throw RedisError(.unexpectedReply, "CLUSTER SLOTS entry has an unexpected shape: \(range)")
            }
            let index: Int
            if let known = masters.firstIndex(of: master) {
                index = known
            } else {
                index = masters.count
                masters.append(master)
            }
            for slot in start...end { owner[slot] = Int16(index) }
            replicas += items.dropFirst(3).compactMap(Self.address)
        }
        nodes = masters + replicas.filter { !masters.contains($0) }
    }

    /// `host:port` of a node entry (`[host, port, id, ...]`); an empty host means the node we asked.
    private static func address(_ reply: RedisReply) -> String? {
        guard let items = reply.array, items.count >= 2, let host = items[0].string, !host.isEmpty, let port = items[1].int else { return nil }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A `MOVED` or `ASK` error reply: the slot is served elsewhere, for good or during a migration.
struct RedisRedirect: Sendable, Equatable {
    /// `MOVED`: update the slot's owner. `ASK`: send this one command there, after `ASKING`.
    var moved: Bool
    var slot: UInt16
    /// `host:port`.
    var address: String

    /// `MOVED 3999 127.0.0.1:6381` or `ASK 3999 127.0.0.1:6381`; `nil` for any other message.
    init?(_ message: String) {
        let parts = message.split(separator: " ")
        guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK", let slot = UInt16(parts[1]), Int(slot) < RedisClusterSlot.count,
              parts[2].contains(":") else { return nil }
        (moved, self.slot, address) = (parts[0] == "MOVED", slot, String(parts[2]))
    }
}

extension RedisConfiguration {
    /// This configuration aimed at the node `host:port` (`[v6]:port`), for one shard of a cluster.
    func node(_ address: String) -> RedisConfiguration {
        var configuration = self
        configuration.cluster = false
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { return configuration }
        var host = address[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        (configuration.host, configuration.port, configuration.unixSocketPath) = (String(host), port, nil)
        return configuration
    }
}
