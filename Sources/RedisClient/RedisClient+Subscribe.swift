import Logging
import NIOCore
import Synchronization

/// A message received on a subscribed channel.
public struct RedisMessage: Sendable, Hashable {
    /// The channel it was published on.
    public var channel: String
    /// The pattern that matched, for PSUBSCRIBE.
    public var pattern: String?
    /// The published bytes.
    public var payload: [UInt8]
    /// The payload as UTF-8 text.
    public var text: String { String(decoding: payload, as: UTF8.self) }
}

extension RedisClient {
    /// Subscribes on a connection of its own and hands `body` the messages as an async sequence.
    ///
    /// If the connection drops (Redis restarted), it reconnects with backoff and subscribes again; messages published
    /// while it was down are lost, as with any Redis pub/sub. The subscription ends when `body` returns.
    /// `onSubscribed` runs each time Redis has confirmed every channel and pattern (at first, and after each reconnect):
    /// from then on nothing published is missed. `onDisconnected` runs each time the connection is lost: from then
    /// until the next `onSubscribed`, messages are missed. The connection PINGs every `subscriptionPingInterval` and is
    /// dropped (and made again) when a PING goes unanswered for `commandTimeout`, so a link that died silently is noticed.
    public func subscribe<T: Sendable>(
        channels: [String], patterns: [String] = [],
        onSubscribed: @escaping @Sendable () -> Void = {},
        onDisconnected: @escaping @Sendable () -> Void = {},
        _ body: (AsyncStream<RedisMessage>) async throws -> T
    ) async throws -> T {
        let (stream, continuation) = AsyncStream.makeStream(of: RedisMessage.self, bufferingPolicy: .bufferingNewest(100_000))
        let total = channels.count + patterns.count
        let pongs = SharedCount()
        let base = configuration
        var target: (@Sendable () -> RedisConfiguration)?
        if let router = cluster { target = { base.node(router.subscriptionAddress()) } }
        let connection = RedisConnection(configuration: configuration, eventLoop: eventLoopGroup.any(), target: target) { reply in
            if let message = Self.message(from: reply) {
                continuation.yield(message)
            } else if let items = reply.array, items.count == 3, ["subscribe", "psubscribe"].contains(items[0].string),
                      items[2].int == total {
                // The confirmation's count is the connection's subscriptions so far: all of them when it reaches `total`.
                onSubscribed()
            } else if let items = reply.array, items.first?.string == "pong" {
                pongs.value.add(1, ordering: .relaxed)
            }
        }
        let ping = configuration.subscriptionPingInterval, answerWithin = configuration.commandTimeout
        let commands =
            (channels.isEmpty ? [] : [RedisCommand((["SUBSCRIBE"] + channels).map { .string($0) })])
            + (patterns.isEmpty ? [] : [RedisCommand((["PSUBSCRIBE"] + patterns).map { .string($0) })])
        let logger = logger
        let result = try await resubscribing(stream, continuation, onDisconnected: onDisconnected, link: { _, subscribed in
            let channel = try await connection.sendWithoutReply(commands)
            subscribed()
            try await withTaskCancellationHandler {
                try await withThrowingTaskGroup(of: Void.self) { link in
                    link.addTask { try await channel.closeFuture.get() }
                    link.addTask {
                        try await Self.keepAlive(connection, channel: channel, pongs: pongs, every: ping, answerWithin: answerWithin,
                                                 logger: logger, what: "\(channels)")
                    }
                    try await link.next()
                    link.cancelAll()
                }
            } onCancel: {
                channel.close(promise: nil)
            }
        }, body)
        await connection.close()
        return result
    }

    /// Runs `link` again and again while `body` reads `stream`, with `onDisconnected` and a growing pause (reset once a
    /// run called its `subscribed`) after each run that ends; `link` is told whether it runs again after a loss.
    func resubscribing<T: Sendable>(
        _ stream: AsyncStream<RedisMessage>, _ continuation: AsyncStream<RedisMessage>.Continuation,
        onDisconnected: @escaping @Sendable () -> Void,
        link: @escaping @Sendable (_ again: Bool, _ subscribed: @escaping @Sendable () -> Void) async throws -> Void,
        _ body: (AsyncStream<RedisMessage>) async throws -> T
    ) async throws -> T {
        let backoffMax = configuration.reconnectBackoffMax
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var backoff = Duration.milliseconds(50)
                var wasDown = false
                while !Task.isCancelled {
                    let subscribed = SharedCount()
                    do {
                        try await link(wasDown) { subscribed.value.add(1, ordering: .relaxed) }
                    } catch {
                        if Task.isCancelled { break }
                    }
                    if subscribed.value.load(ordering: .relaxed) > 0 { backoff = .milliseconds(50) }
                    onDisconnected()
                    wasDown = true
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .nanoseconds(backoffMax.nanoseconds))
                }
            }
            defer {
                group.cancelAll()
                continuation.finish()
            }
            return try await body(stream)
        }
    }

    private static func message(from reply: RedisReply) -> RedisMessage? {
        guard let items = reply.array, let kind = items.first?.string else { return nil }
        switch kind {
        case "message" where items.count == 3:
            guard let channel = items[1].string, let payload = items[2].bytes else { return nil }
            return RedisMessage(channel: channel, pattern: nil, payload: payload)
        case "pmessage" where items.count == 4:
            guard let channel = items[2].string, let payload = items[3].bytes else { return nil }
            return RedisMessage(channel: channel, pattern: items[1].string, payload: payload)
        default:
            return nil
        }
    }
}

extension RedisClient {
    /// Keepalive of a subscribed connection: one PING at a time; no PONG within `answerWithin` closes `channel` (and so
    /// ends the link, which is made again). Returns then; throws when cancelled.
    static func keepAlive(_ connection: RedisConnection, channel: any Channel, pongs: SharedCount, every ping: TimeAmount,
                          answerWithin: TimeAmount, logger: Logger, what: String) async throws {
        while true {
            try await Task.sleep(for: .nanoseconds(ping.nanoseconds))
            let before = pongs.value.load(ordering: .relaxed)
            _ = try await connection.sendWithoutReply([RedisCommand("PING")])
            let deadline = ContinuousClock.now + .nanoseconds(answerWithin.nanoseconds)
            while pongs.value.load(ordering: .relaxed) == before, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            if pongs.value.load(ordering: .relaxed) == before {
                logger.warning("subscription PING unanswered; reconnecting", metadata: ["channels": "\(what)"])
                channel.close(promise: nil)
                return
            }
        }
    }
}

/// A count shared by a subscription's reply handler and its tasks (PONGs received, confirmations).
final class SharedCount: Sendable {
    let value = Atomic<Int>(0)
}
