import Foundation

/// `routing`: how contacts reach agents.
public struct RoutingConfig: Sendable, Decodable {
    /// How long an escalated contact waits for the agent of its related contact.
    public var preferredAgentSeconds: Int
    /// How long an agent has to accept an offer.
    public var offerTimeoutSeconds: Int
    /// How long an agent who rejected a contact is skipped for it.
    public var rejectCooldownSeconds: Int
    /// Queue for contacts started through the API.
    public var defaultQueue: String
    /// How long an agent session token lives.
    public var sessionTtlSeconds: Int
    /// How often offer deadlines are checked.
    public var tickIntervalMs: Int

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case preferredAgentSeconds, offerTimeoutSeconds, rejectCooldownSeconds, defaultQueue, sessionTtlSeconds, tickIntervalMs
    }

    package static func defaults() throws -> RoutingConfig { try JSONDecoder().decode(RoutingConfig.self, from: Data("{}".utf8)) }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        preferredAgentSeconds = try c.optional(.preferredAgentSeconds, default: 30, min: 0)
        offerTimeoutSeconds = try c.optional(.offerTimeoutSeconds, default: 20, min: 1)
        rejectCooldownSeconds = try c.optional(.rejectCooldownSeconds, default: 60, min: 0)
        defaultQueue = try c.optional(.defaultQueue, default: "default")
        sessionTtlSeconds = try c.optional(.sessionTtlSeconds, default: 43_200, min: 1)
        tickIntervalMs = try c.optional(.tickIntervalMs, default: 500, min: 1)
    }
}
