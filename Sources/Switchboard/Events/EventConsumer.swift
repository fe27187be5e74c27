import SwitchboardCore
import ContactEngine
import Foundation
import Logging
import Metrics
import RedisClient
import ServiceLifecycle

/// Every node's consumer of the contact-event stream (SPEC §5): consumer group, batched reads, effects applied once
/// (de-duplicated on the event id inside the push script), XACK only after the effect, idle entries of crashed
/// consumers claimed, and entries that failed `maxDeliveries` times moved to `<stream>:dlq` with the error.
struct EventConsumer: Service {
    let redis: RedisClient
    let config: EventsConfig
    let consumer: String
    let contacts: any ContactService
    let hub: RealtimeHub
    let logger: Logger
    var failpoints = Failpoints.disabled
    let processed = Counter(label: "events_processed_total")
    let deadLettered = Counter(label: "events_dead_lettered_total")

    var deadLetterStream: String { "\(config.stream):dlq" }

    func run() async throws {
        // The consumer is nothing but Redis round trips; on the loop that reads their replies it saves
        // two thread hops per round trip (`switchboard-bench redis`, docs/benchmarks.md).
        try await withTaskExecutorPreference(redis.taskExecutor()) {
            try await consume()
        }
    }

    private func consume() async throws {
        try await ensureGroup()
        if failpoints.isArmed(.consumerNeverReads) {
            try? await gracefulShutdown()
            return
        }
        // A connection of its own for the blocking reads, to the stream's master (cluster mode); after a Redis failure
        // it is made again, so a failover's new master is found.
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await readBatches()
            } catch {
                logger.warning("event consumer: cannot reach the stream; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Reads and processes batches on one dedicated connection until Redis fails (or the node stops).
    private func readBatches() async throws {
        try await redis.withDedicatedConnection(forKey: config.stream) { connection in
            // Entries this consumer read before Redis failed, and did not finish, are taken up again at once rather than
            // after `claimIdleMs`: a Redis restart or failover then delays them by the outage, not by the claim timer.
            var after = "0-0"
            while !Task.isShuttingDownGracefully {
                let own = try await connection.xreadgroup(group: config.group, consumer: consumer, stream: config.stream, id: after,
                                                          count: config.batchSize)
                guard let last = own.last else { break }
                after = last.id
                do {
                    await acknowledge(try await process(own))
                } catch {
                    logger.warning("own pending events failed again; they are claimed later", metadata: ["error": "\(error)"])
                }
            }
            // Acknowledgements leave the read loop's critical path: a lost XACK only means the entry is claimed again
            // later, and the push script's de-duplication makes that harmless. Reads are not started ahead of
            // processing: a read waiting in Redis returns with the first entry that arrives, so batches would shrink
            // to one event under load (measured: p50 at 6,000 events/s doubled).
            await withDiscardingTaskGroup { acks in
                var lastClaim = ContinuousClock.now
                let claimEvery = Duration.milliseconds(max(50, config.claimIdleMs / 2))
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    do {
                        let entries = try await connection.xreadgroup(group: config.group, consumer: consumer, stream: config.stream,
                                                                      count: config.batchSize, blockMilliseconds: config.blockMs)
                        if !entries.isEmpty {
                            let done = try await process(entries)
                            acks.addTask { await acknowledge(done) }
                        }
                        if ContinuousClock.now - lastClaim > claimEvery {
                            lastClaim = .now
                            try await claimIdle()
                            try await removeIdleConsumers()
                        }
                    } catch let error as RedisError where error.serverErrorPrefix == "NOGROUP" {
                        try? await ensureGroup()
                    } catch {
                        // Entries a failed read or batch took stay pending; the next connection takes them up first.
                        logger.warning("event consumer: Redis failed; retrying", metadata: ["error": "\(error)"])
                        try? await Task.sleep(for: .milliseconds(200))
                        break
                    }
                }
            }
        }
    }

    private func acknowledge(_ ids: [String]) async {
        guard !ids.isEmpty else { return }
        do {
            try await redis.xack(config.stream, group: config.group, ids: ids)
            processed.increment(by: ids.count)
        } catch {
            logger.warning("XACK failed; the entries will be claimed again and de-duplicated", metadata: ["error": "\(error)"])
        }
    }

    /// Creates the consumer group, waiting for Redis as long as it takes: a node may start before Redis does.
    func ensureGroup() async throws {
        while true {
            do {
                try await redis.xgroupCreate(config.stream, group: config.group, startId: "0")
                return
            } catch let error as RedisError where error.code != .server {
                if Task.isShuttingDownGracefully { throw error }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Applies a batch: contacts fetched in one round trip, pushes in one. Returns the ids whose effect is applied and
    /// may be acknowledged; entries that fail stay pending and come back through `claimIdle`.
    func process(_ entries: [RedisStreamEntry]) async throws -> [String] {
        var parsed: [(entry: RedisStreamEntry, event: ContactEvent)] = []
        for entry in entries {
            do {
                guard let text = entry.fields["event"] else { throw SwitchboardError.invalid("stream entry has no \"event\" field") }
                parsed.append((entry, try ContactEvent.parse(text)))
            } catch {
                logger.warning("event rejected; it will be retried and then dead-lettered",
                               metadata: ["entry": "\(entry.id)", "error": "\(error)"])
            }
        }
        try await contacts.observe(parsed.map(\.event))
        let records = parsed.isEmpty ? [:] : try await contacts.contacts(ids: Array(Set(parsed.map(\.event.contactId))))
        let pushes = parsed.flatMap { EventRules.pushes(for: $0.event, contact: records[$0.event.contactId]) }
        try await hub.push(pushes)
        return parsed.map(\.entry.id)
    }

    /// Removes consumers with nothing pending that have not read for `removeIdleConsumersAfterMs` (never this one).
    func removeIdleConsumers() async throws {
        let reply = try await redis.send("XINFO", "CONSUMERS", config.stream, config.group)
        for entry in reply.array ?? [] {
            let fields = entry.array ?? []
            var info: [String: RedisReply] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) { if let name = fields[index].string { info[name] = fields[index + 1] } }
            guard let name = info["name"]?.string, name != consumer, info["pending"]?.int == 0,
                  let idle = info["inactive"]?.int ?? info["idle"]?.int, idle > config.removeIdleConsumersAfterMs else { continue }
            _ = try await redis.send("XGROUP", "DELCONSUMER", config.stream, config.group, name)
            logger.info("removed an idle consumer from the group", metadata: ["consumer": "\(name)", "idleMs": "\(idle)"])
        }
    }

    /// Claims entries idle past `claimIdleMs` (a crashed node's, or ours that failed), dead-letters those delivered too
    /// often, and processes the rest.
    func claimIdle() async throws {
        var cursor = "0-0"
        repeat {
            let claimed = try await redis.xautoclaim(config.stream, group: config.group, consumer: consumer, minIdleMilliseconds: config.claimIdleMs,
                                                     start: cursor, count: config.batchSize)
            cursor = claimed.next
            if !claimed.deleted.isEmpty { try await redis.xack(config.stream, group: config.group, ids: claimed.deleted) }
            guard let first = claimed.entries.first, let last = claimed.entries.last else { continue }
            let pending = try await redis.xpending(config.stream, group: config.group, start: first.id, end: last.id, count: claimed.entries.count,
                                                   consumer: consumer)
            let deliveries = Dictionary(pending.map { ($0.id, $0.deliveries) }, uniquingKeysWith: max)
            var retry: [RedisStreamEntry] = []
            for entry in claimed.entries {
                if (deliveries[entry.id] ?? 0) > config.maxDeliveries {
                    try await deadLetter(entry, deliveries: deliveries[entry.id] ?? 0)
                } else {
                    retry.append(entry)
                }
            }
            if !retry.isEmpty { await acknowledge(try await process(retry)) }
        } while cursor != "0-0"
    }

    private func deadLetter(_ entry: RedisStreamEntry, deliveries: Int) async throws {
        let reason: String
        if let text = entry.fields["event"] {
            do {
                _ = try ContactEvent.parse(text)
                reason = "processing failed \(deliveries - 1) times"
            } catch {
                reason = error.message
            }
        } else {
            reason = "stream entry has no \"event\" field"
        }
        var fields = entry.fields.map { ($0.key, $0.value) }
        fields += [("sourceId", entry.id), ("error", reason), ("deliveries", String(deliveries - 1)), ("deadLetteredBy", consumer)]
        _ = try await redis.pipeline([
            RedisCommand(["XADD", .string(deadLetterStream), "MAXLEN", "~", .int(config.maxLength), "*"] + fields.flatMap { [RedisArgument.string($0.0), .string($0.1)] }),
            RedisCommand("XACK", config.stream, config.group, entry.id),
        ])
        deadLettered.increment()
        logger.error("event moved to dead-letter stream", metadata: ["entry": "\(entry.id)", "error": "\(reason)", "dlq": "\(deadLetterStream)"])
    }
}
