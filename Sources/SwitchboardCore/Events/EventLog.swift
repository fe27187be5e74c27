import Foundation
import RedisClient

/// The contact-event stream (SPEC §5): where the bridge, `redis-cli` and the local engine append Connect events.
public struct EventLog: Sendable {
    package let redis: RedisClient
    package let config: EventsConfig
    package let scripts: RedisScriptSet

    /// An event log on `redis`, configured by `events`; `scripts` holds `events_append_once`.
    public init(redis: RedisClient, config: EventsConfig, scripts: RedisScriptSet) {
        (self.redis, self.config, self.scripts) = (redis, config, scripts)
    }

    /// Dead-letter stream name.
    public var deadLetterStream: String { "\(config.stream):dlq" }

    /// Appends already-validated events, one entry each with the single field `event`, in one round trip.
    public func append(_ events: [String]) async throws {
        guard !events.isEmpty else { return }
        let commands = events.map {
            RedisCommand(["XADD", .string(config.stream), "MAXLEN", "~", .int(config.maxLength), "*", "event", .string($0)])
        }
        for reply in try await redis.pipeline(commands) {
            if case .error(let message) = reply { throw RedisError(.server, message) }
        }
    }

    /// Appends events, each only if its id was not appended before (`events_append_once.lua`): a step that may run
    /// twice (a sweeper finishing what a dead node started) sends its events twice and the stream has them once.
    public func appendOnce(_ events: [(id: String, text: String)]) async throws {
        guard !events.isEmpty else { return }
        _ = try await redis.evalScript(
            scripts[.eventsAppendOnce], keys: [config.stream] + events.map { markerKey($0.id) },
            args: [.int(config.maxLength), .int(config.dedupeTtlSeconds)] + events.map { .string($0.text) })
    }

    /// The marker of one appended event: named after the stream, so an ACL pattern that covers the stream covers it
    /// too, and in the stream's cluster slot (the stream's own hash tag, or the stream's whole name as the tag, since a
    /// key without a tag hashes its whole name).
    func markerKey(_ eventId: String) -> String {
        let stream = config.stream
        if let open = stream.firstIndex(of: "{"), let close = stream[open...].firstIndex(of: "}"), stream.index(after: open) < close {
            return "\(stream):once:\(eventId)"
        }
        return "\(stream):{\(stream)}:once:\(eventId)"
    }

    /// Validates a bridge body (one event or an array of at most `maxBatch`) and returns the events as JSON texts.
    /// The error names the bad element and field.
    public static func validateBatch(_ body: [UInt8], maxBatch: Int) throws(SwitchboardError) -> [String] {
        guard let value = try? Wire.decode(JSONValue.self, from: body) else { throw .invalid("body is not JSON") }
        let items: [JSONValue]
        if case .array(let array) = value {
            guard !array.isEmpty else { throw .invalid("the array of events is empty") }
            guard array.count <= maxBatch else { throw .invalid("at most \(maxBatch) events per request (EventBridge PutEvents' batch size)") }
            items = array
        } else {
            items = [value]
        }
        var texts: [String] = []
        for (index, item) in items.enumerated() {
            do {
                _ = try ContactEvent.parse(item)
            } catch {
                throw .invalid(items.count > 1 ? "event [\(index)]: \(error.message)" : error.message)
            }
            texts.append(Wire.encode(item))
        }
        return texts
    }
}
