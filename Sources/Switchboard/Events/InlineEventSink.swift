import SwitchboardCore
import Logging
import Metrics

/// The local engine's event sink on a server: each event is appended to the stream first (for other consumers, and so
/// it is not lost if this node dies next), then its pushes are made at once from the engine's own record, instead of
/// after a consumer has read the event back from Redis. The consumer still reads it later and finds its pushes
/// already made (they are de-duplicated on the event id), so a push this node failed to make is made then.
struct InlineEventSink: EventSink {
    let log: EventLog
    let hub: RealtimeHub
    let logger: Logger
    let applied = Counter(label: "events_applied_inline_total")

    func append(_ events: [EngineEvent]) async throws {
        try await log.append(events)
        await apply(events)
    }

    func appendOnce(_ events: [EngineEvent]) async throws {
        try await log.appendOnce(events)
        await apply(events)
    }

    /// Makes the events' pushes. A failure is only logged: the events are in the stream, and the consumer retries them.
    private func apply(_ events: [EngineEvent]) async {
        do {
            try await hub.push(events.flatMap { EventRules.pushes(for: $0.event, contact: $0.contact) })
            applied.increment(by: events.count)
        } catch {
            logger.warning("pushes of engine events failed; the event consumer will make them", metadata: ["error": "\(error)"])
        }
    }
}
