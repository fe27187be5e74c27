import Logging
import NIOCore
import Synchronization

extension RedisClient {
    /// On a Redis Cluster: subscribes to one sharded channel in every slot (`channel(slot)`, SSUBSCRIBE on the slot's
    /// master) and hands `body` the messages of all of them as one async sequence.
    ///
    /// Why: a classic PUBLISH on one master reaches a subscriber on another over the cluster bus, which delays it by up to
    /// 40 ms; a sharded message goes from the master that publishes it straight to its subscribers. A script publishing
    /// for a key's slot can reach this subscriber with `SPUBLISH channel(slot)` in that same slot.
    ///
    /// One connection per master, PINGed as `subscribe(channels:)`'s is. When any of them is lost, or Redis moves a slot
    /// away (it unsubscribes the slot's channel), every link is dropped, the slot map read again and every channel
    /// subscribed again: `onDisconnected` runs at the loss and `onSubscribed` once every master confirmed every channel,
    /// as for `subscribe(channels:)`.
    public func subscribeSharded<T: Sendable>(
        channel: @escaping @Sendable (UInt16) -> String,
        onSubscribed: @escaping @Sendable () -> Void = {},
        onDisconnected: @escaping @Sendable () -> Void = {},
        _ body: (AsyncStream<RedisMessage>) async throws -> T
    ) async throws -> T {
        guard let router = cluster else { throw RedisError(.unexpectedReply, "sharded node channels need redis.mode \"cluster\"") }
        let (stream, continuation) = AsyncStream.makeStream(of: RedisMessage.self, bufferingPolicy: .bufferingNewest(100_000))
        let logger = logger
        return try await resubscribing(stream, continuation, onDisconnected: onDisconnected, link: { again, subscribed in
            let map = try await router.slotMap(refresh: again)
            try await self.runShardLinks(map, channel: channel, messages: continuation, onSubscribed: {
                if again { logger.info("sharded node channels subscribed again") }
                subscribed()
                onSubscribed()
            })
        }, body)
    }

    /// One link per master of `map`, each subscribed to the channels of its slots; returns (or throws) when any link
    /// ends, after closing all of them.
    private func runShardLinks(_ map: RedisClusterTopology, channel: @escaping @Sendable (UInt16) -> String,
                               messages: AsyncStream<RedisMessage>.Continuation,
                               onSubscribed: @escaping @Sendable () -> Void) async throws {
        // A slot without a master (a failover under way) would be left unsubscribed after the map is complete again.
        guard !map.owner.contains(-1) else { throw RedisError(.unavailable, "some slots have no master: the cluster is failing over") }
        var slotsOf = [[UInt16]](repeating: [], count: map.masters.count)
        for slot in 0..<RedisClusterSlot.count { slotsOf[Int(map.owner[slot])].append(UInt16(slot)) }
        let confirmedLinks = SharedCount(), linkCount = map.masters.count, gate = SubscribedGate()
        let ping = configuration.subscriptionPingInterval, answerWithin = configuration.commandTimeout
        var links: [ShardLink] = []
        for (index, address) in map.masters.enumerated() {
            let expected = slotsOf[index].count, pongs = SharedCount(), opened = OpenChannel(), confirmed = SharedCount()
            let connection = RedisConnection(configuration: configuration.node(address), eventLoop: eventLoopGroup.any(), onPush: { reply in
                guard let items = reply.array, let kind = items.first?.string else { return }
                switch kind {
                case "smessage" where items.count == 3:
                    if let name = items[1].string, let payload = items[2].bytes {
                        gate.deliver(RedisMessage(channel: name, pattern: nil, payload: payload), to: messages)
                    }
                case "ssubscribe":
                    // Counted here: the reply's own count is per slot, not per connection.
                    if confirmed.value.add(1, ordering: .relaxed).newValue == expected,
                       confirmedLinks.value.add(1, ordering: .relaxed).newValue == linkCount {
                        gate.open(then: messages, after: onSubscribed)
                    }
                case "sunsubscribe":
                    // Redis drops a slot's channels when the slot moves (failover, resharding): subscribe again from the new map.
                    opened.value.withLock { $0?.close(promise: nil) }
                case "pong":
                    pongs.value.add(1, ordering: .relaxed)
                default:
                    break
                }
            })
            links.append(ShardLink(connection: connection, commands: slotsOf[index].map { RedisCommand("SSUBSCRIBE", channel($0)) },
                                   pongs: pongs, channel: opened))
        }
        // Closed for good whichever way the links end; the next generation makes new ones from a fresh slot map.
        var failure: (any Error)?
        do { try await runLinks(links, ping: ping, answerWithin: answerWithin) } catch { failure = error }
        for link in links { await link.connection.close() }
        if let failure { throw failure }
    }

    /// Runs each link until the first one ends.
    private func runLinks(_ links: [ShardLink], ping: TimeAmount, answerWithin: TimeAmount) async throws {
        let logger = logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            for link in links {
                group.addTask {
                    let channel = try await link.connection.sendWithoutReply(link.commands)
                    link.channel.value.withLock { $0 = channel }
                    try await withTaskCancellationHandler {
                        try await withThrowingTaskGroup(of: Void.self) { watch in
                            watch.addTask { try await channel.closeFuture.get() }
                            watch.addTask {
                                try await Self.keepAlive(link.connection, channel: channel, pongs: link.pongs, every: ping,
                                                         answerWithin: answerWithin, logger: logger, what: "sharded node channels")
                            }
                            try await watch.next()
                            watch.cancelAll()
                        }
                    } onCancel: {
                        channel.close(promise: nil)
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// One master's subscription: its connection, the SSUBSCRIBEs it sends, its PONG count and its channel once open.
private struct ShardLink: Sendable {
    let connection: RedisConnection
    let commands: [RedisCommand]
    let pongs: SharedCount
    let channel: OpenChannel
}

/// A shard link's channel once open, so that the reply handler can close it.
private final class OpenChannel: Sendable {
    let value = Mutex<(any Channel)?>(nil)
}

/// Holds back what a generation's first confirmed links receive until every link is confirmed: `onSubscribed` (where
/// the node pauses its sockets for the catch-up) must come before any message, as it does on one classic connection;
/// a message delivered earlier would move a socket's cursor past the pushes missed while the links were down.
private final class SubscribedGate: Sendable {
    private let state = Mutex<(open: Bool, held: [RedisMessage])>((false, []))

    func deliver(_ message: RedisMessage, to messages: AsyncStream<RedisMessage>.Continuation) {
        state.withLock { state in
            if state.open { messages.yield(message) } else { state.held.append(message) }
        }
    }

    func open(then messages: AsyncStream<RedisMessage>.Continuation, after onSubscribed: @Sendable () -> Void) {
        state.withLock { state in
            onSubscribed()
            for message in state.held { messages.yield(message) }
            state = (true, [])
        }
    }
}
