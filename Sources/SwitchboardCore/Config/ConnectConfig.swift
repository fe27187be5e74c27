import Foundation

/// `connect`: the contact engine.
public struct ConnectConfig: Sendable, Decodable {
    /// `local` (embedded engine) or `aws`.
    public var mode: String
    /// AWS region.
    public var region: String
    /// Amazon Connect instance id.
    public var instanceId: String
    /// Contact flow id used to start contacts.
    public var contactFlowId: String
    /// AWS mode: Amazon Connect's endpoint (default `https://connect.<region>.amazonaws.com`); any endpoint that speaks
    /// its wire protocol serves, another node's `/connect` included.
    public var endpoint: String
    /// AWS mode: the Participant Service the widget chats through (default
    /// `https://participant.connect.<region>.amazonaws.com`).
    public var participantEndpoint: String
    /// AWS mode: how long one call to Amazon Connect may take.
    public var timeoutMs: Int
    /// AWS mode: attempts per call, the first included (retries of throttling, 5xx and transport failures).
    public var maxAttempts: Int
    /// AWS mode: how long the node keeps what it knows of a contact (attributes, agent) in Redis.
    public var contactRecordTtlSeconds: Int

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, region, instanceId, contactFlowId, endpoint, participantEndpoint, timeoutMs, maxAttempts, contactRecordTtlSeconds
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        mode = try c.required(.mode)
        guard ["local", "aws"].contains(mode) else { throw SwitchboardError.config("\"connect.mode\" must be \"local\" or \"aws\"") }
        region = try c.required(.region)
        instanceId = try c.required(.instanceId)
        contactFlowId = try c.required(.contactFlowId)
        endpoint = try c.optional(.endpoint, default: "https://connect.\(region).amazonaws.com")
        participantEndpoint = try c.optional(.participantEndpoint, default: "https://participant.connect.\(region).amazonaws.com")
        for (key, url) in [("endpoint", endpoint), ("participantEndpoint", participantEndpoint)]
        where !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            throw SwitchboardError.config("\"connect.\(key)\" must be an http(s) URL, got \(url)")
        }
        timeoutMs = try c.optional(.timeoutMs, default: 10000)
        maxAttempts = try c.optional(.maxAttempts, default: 3)
        contactRecordTtlSeconds = try c.optional(.contactRecordTtlSeconds, default: 90000)
        guard timeoutMs > 0, (1...10).contains(maxAttempts), contactRecordTtlSeconds > 0 else {
            throw SwitchboardError.config("\"connect.timeoutMs\" and \"connect.contactRecordTtlSeconds\" must be positive, \"connect.maxAttempts\" 1-10")
        }
    }
}
