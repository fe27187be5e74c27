import Foundation

/// `events`: the contact-event stream that replaces EventBridge.
public struct EventsConfig: Sendable, Decodable {
    /// Stream key.
    public var stream: String
    /// Consumer group every node joins.
    public var group: String
    /// Deliveries after which an entry goes to `<stream>:dlq`.
    public var maxDeliveries: Int
    /// Entries read per XREADGROUP.
    public var batchSize: Int
    /// How long one XREADGROUP blocks.
    public var blockMs: Int
    /// A consumer of the group with nothing pending that has not read for this long (a node gone for good, every
    /// restart names a new one) is removed from the group, so `XINFO CONSUMERS` shows the nodes that are.
    public var removeIdleConsumersAfterMs: Int
    /// Pending entries idle this long are claimed by another consumer (a crashed node's work).
    public var claimIdleMs: Int
    /// Approximate MAXLEN the stream is trimmed to.
    public var maxLength: Int
    /// How long processed event ids are remembered for de-duplication.
    public var dedupeTtlSeconds: Int

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case stream, group, maxDeliveries, batchSize, blockMs, claimIdleMs, maxLength, dedupeTtlSeconds, removeIdleConsumersAfterMs
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        stream = try c.required(.stream)
        group = try c.required(.group)
        maxDeliveries = try c.required(.maxDeliveries, min: 1)
        batchSize = try c.optional(.batchSize, default: 128, min: 1, max: 10_000)
        blockMs = try c.optional(.blockMs, default: 1000, min: 1)
        removeIdleConsumersAfterMs = try c.optional(.removeIdleConsumersAfterMs, default: 3_600_000, min: 0)
        claimIdleMs = try c.optional(.claimIdleMs, default: 10_000, min: 1)
        maxLength = try c.optional(.maxLength, default: 1_000_000, min: 1)
        dedupeTtlSeconds = try c.optional(.dedupeTtlSeconds, default: 86_400, min: 1)
    }
}
