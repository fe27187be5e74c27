import Logging
import NIOCore
import Synchronization

/// Redis Cluster mode of ``RedisClient``: one standalone client (its own pool) per master, each command sent to the
/// master of its key's slot. The slot map comes from `CLUSTER SLOTS`, asked of any node known (the URL's seed first)
/// on first use, after a `MOVED`, and when a master stops answering (a failover may have promoted its replica).
/// `ASK` sends the one command to the node named, after `ASKING`.
final class RedisClusterRouter: Sendable {
    private struct State {
        var topology: RedisClusterTopology?
        var clients: [String: RedisClient] = [:]
        var refreshedAt: ContinuousClock.Instant?
    }

    private let seed: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())
    private let nextNode = Atomic<Int>(0)

    init(seed: RedisConfiguration, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        (self.seed, self.eventLoopGroup, self.logger) = (seed, eventLoopGroup, logger)
    }

    /// The client of the node `address`, made on first use.
    func client(_ address: String) -> RedisClient {
        state.withLock { state in
            if let client = state.clients[address] { return client }
            let client = RedisClient(configuration: seed.node(address), eventLoopGroup: eventLoopGroup, logger: logger)
            state.clients[address] = client
            return client
        }
    }

    /// The client for `slot` (any master for a command no key routes), loading the slot map first if needed.
    func client(for slot: UInt16?) async throws -> RedisClient {
        if let address = try await topology().master(of: slot ?? UInt16(nextNode.wrappingAdd(1, ordering: .relaxed).oldValue % RedisClusterSlot.count)) {
            return client(address)
        }
        try await refresh(force: true)
        guard let address = try await topology().master(of: slot ?? 0) else {
            throw RedisError(.unavailable, "no master serves slot \(slot ?? 0) of the Redis Cluster")
        }
        return client(address)
    }

    /// Every master's client, for commands each must run (SCRIPT LOAD).
    func masters() async throws -> [RedisClient] {
        try await topology().masters.map(client)
    }

    /// A node for a subscription, round robin over all nodes known (replicas too: every node hears every publish).
    func subscriptionAddress() -> String {
        let nodes = state.withLock { $0.topology?.nodes } ?? []
        guard !nodes.isEmpty else { return seedAddress }
        return nodes[nextNode.wrappingAdd(1, ordering: .relaxed).oldValue % nodes.count]
    }

    /// The URL's node as `host:port` (`[v6]:port`), as the slot map names nodes.
    private var seedAddress: String { "\(seed.host.contains(":") ? "[\(seed.host)]" : seed.host):\(seed.port)" }

    /// The slot map, read again first when `refresh` (a sharded subscription lost a link: slots may have moved).
    func slotMap(refresh: Bool) async throws -> RedisClusterTopology {
        if refresh { try await self.refresh(force: true) }
        return try await topology()
    }

    private func topology() async throws -> RedisClusterTopology {
        if let topology = state.withLock({ $0.topology }) { return topology }
        try await refresh(force: true)
        guard let topology = state.withLock({ $0.topology }) else { throw RedisError(.unavailable, "Redis Cluster slots unknown") }
        return topology
    }

    /// Reads the slot map again from the first node that answers; without `force`, at most every 100 ms.
    func refresh(force: Bool = false) async throws {
        let (known, last) = state.withLock { ($0.topology?.nodes ?? [], $0.refreshedAt) }
        if !force, let last, ContinuousClock.now - last < .milliseconds(100) { return }
        state.withLock { $0.refreshedAt = .now }
        var lastError: any Error = RedisError(.unavailable, "no Redis Cluster node answered")
        for address in known + (known.contains(seedAddress) ? [] : [seedAddress]) {
            do {
                let topology = try RedisClusterTopology(slots: try await client(address).send("CLUSTER", "SLOTS"))
                state.withLock { $0.topology = topology }
                return
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Records a `MOVED`: the slot's new master.
    private func moved(_ redirect: RedisRedirect) {
        state.withLock { state in
            guard var topology = state.topology else { return }
            if let index = topology.masters.firstIndex(of: redirect.address) {
                topology.owner[Int(redirect.slot)] = Int16(index)
            } else {
                topology.masters.append(redirect.address)
                topology.nodes.append(redirect.address)
                topology.owner[Int(redirect.slot)] = Int16(topology.masters.count - 1)
            }
            state.topology = topology
        }
    }

    /// One command to its slot's master, following redirects; `SCRIPT` goes to every master.
    func send(_ command: RedisCommand) async throws -> RedisReply {
        if command.name == "SCRIPT" {
            var first: RedisReply?
            for client in try await masters() {
                let reply = try await client.send(command)
                if first == nil { first = reply }
            }
            return first ?? .null
        }
        var askAt: String?
        var attempt = 0
        while true {
            defer { attempt += 1 }
            do {
                if let address = askAt {
                    let replies = try await client(address).pipeline([RedisCommand("ASKING"), command])
                    if case .error(let message) = replies[1] { throw RedisError(.server, message) }
                    return replies[1]
                }
                return try await client(for: command.slot).send(command)
            } catch let error as RedisError where attempt < 5 {
                if let redirect = error.code == .server ? RedisRedirect(error.message) : nil {
                    if redirect.moved {
                        moved(redirect)
                        askAt = nil
                        try? await refresh()
                    } else {
                        askAt = redirect.address
                    }
                    continue
                }
                guard [.unavailable, .connectionClosed, .timeout].contains(error.code) else { throw error }
                // The master may have failed over: learn the new map, and send again only what surely never ran.
                try? await refresh()
                guard error.code == .unavailable || error.notSent else { throw error }
                try await Task.sleep(for: .milliseconds(50 << min(attempt, 4)))
            }
        }
    }

    /// Commands grouped by master, each group pipelined on its master, all groups at once; replies in the original
    /// order. A MULTI … EXEC block goes where its first key goes; a command no key routes goes with its neighbours.
    /// Commands answered `MOVED` or `ASK` (a whole block, if any of its commands was) are sent again after the slot map
    /// is refreshed, up to three times.
    func pipeline(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        var replies = [RedisReply](repeating: .null, count: commands.count)
        var pending = Array(commands.indices)
        for attempt in 0..<4 {
            let units = Self.units(pending.map { commands[$0] }).map { unit in (slot: unit.slot, indices: unit.indices.map { pending[$0] }) }
            var groups: [String: [Int]] = [:]
            for unit in units {
                let address = try await topology().master(of: unit.slot ?? 0) ?? ""
                groups[address, default: []] += unit.indices
            }
            // Groups whose master could not be reached sent nothing: they go again once the map is read again.
            var unsent: [Int] = []
            var failure: RedisError?
            try await withThrowingTaskGroup(of: (indices: [Int], replies: [RedisReply]?, error: RedisError?).self) { group in
                for (address, indices) in groups {
                    group.addTask {
                        do {
                            let client = address.isEmpty ? try await self.client(for: nil) : self.client(address)
                            return (indices, try await client.pipeline(indices.map { commands[$0] }), nil)
                        } catch let error as RedisError where error.code == .unavailable || error.notSent {
                            return (indices, nil, error)
                        }
                    }
                }
                for try await answered in group {
                    if let answers = answered.replies {
                        for (index, reply) in zip(answered.indices, answers) { replies[index] = reply }
                    } else {
                        unsent += answered.indices
                        failure = answered.error
                    }
                }
            }
            var again = unsent
            for unit in units {
                let redirects = unit.indices.compactMap { index -> RedisRedirect? in
                    if case .error(let message) = replies[index] { RedisRedirect(message) } else { nil }
                }
                guard !redirects.isEmpty else { continue }
                for redirect in redirects where redirect.moved { moved(redirect) }
                again += unit.indices
            }
            if !unsent.isEmpty, attempt == 3, let failure { throw failure }
            if !unsent.isEmpty { try await Task.sleep(for: .milliseconds(100 << attempt)) }
            guard !again.isEmpty, attempt < 3 else { break }
            try? await refresh(force: true)
            pending = again.sorted()
        }
        return replies
    }

    /// Splits commands into units that must go together: a MULTI … EXEC block, or one command. A unit's slot is its
    /// first key's; units without a key take the slot of the unit before (or after) them.
    static func units(_ commands: [RedisCommand]) -> [(slot: UInt16?, indices: [Int])] {
        var units: [(slot: UInt16?, indices: [Int])] = []
        var block: [Int]?
        for (index, command) in commands.enumerated() {
            if command.name == "MULTI" { block = [index]; continue }
            if var open = block {
                open.append(index)
                if command.name == "EXEC" || command.name == "DISCARD" {
                    units.append((open.lazy.compactMap { commands[$0].slot }.first, open))
                    block = nil
                } else {
                    block = open
                }
                continue
            }
            units.append((command.slot, [index]))
        }
        if let open = block { units.append((open.lazy.compactMap { commands[$0].slot }.first, open)) }
        var last = units.lazy.compactMap(\.slot).first
        for index in units.indices {
            if let slot = units[index].slot { last = slot } else { units[index].slot = last }
        }
        return units
    }

    /// Closes every node's connections.
    func close() async {
        for client in state.withLock({ Array($0.clients.values) }) { await client.close() }
    }

    /// Commands in flight and connections up, over every node.
    var commandsInFlight: Int { state.withLock { $0.clients.values.reduce(0) { $0 + $1.commandsInFlight } } }
    var connectedCount: Int { state.withLock { $0.clients.values.reduce(0) { $0 + $1.connectedCount } } }
}
