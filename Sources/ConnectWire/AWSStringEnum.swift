/// A string enumeration of an AWS model, kept open: values the model does not list yet decode instead of failing,
/// because AWS adds enum values without a new API version and the AWS mode decodes real responses.
public protocol AWSStringEnum: RawRepresentable<String>, Codable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// Wraps any value.
    init(rawValue: String)
}

extension AWSStringEnum {
    /// Wraps a literal.
    public init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    /// The raw value.
    public var description: String { rawValue }

    /// Decodes any string.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the raw value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
