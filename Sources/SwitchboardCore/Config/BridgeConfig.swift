import Foundation

/// `bridge`: the EventBridge API-destination ingest.
public struct BridgeConfig: Sendable, Decodable {
    /// Shared secret in `X-Switchboard-Bridge-Key`.
    public var apiKey: String

    package enum CodingKeys: String, CodingKey, CaseIterable { case apiKey }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        apiKey = try c.requiredSecret(.apiKey)
    }
}
