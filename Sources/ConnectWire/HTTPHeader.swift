/// One HTTP header line. Headers are kept as an ordered list because a name may repeat and SigV4 joins the repeats.
public struct HTTPHeader: Sendable, Hashable {
    /// The header name, in whatever case it was sent.
    public var name: String
    /// The header value, untrimmed.
    public var value: String

    /// Creates a header.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension [HTTPHeader] {
    /// The first value of the header `name`, compared case-insensitively.
    public func first(named name: String) -> String? {
        let lowered = name.lowercased()
        return first { $0.name.lowercased() == lowered }?.value
    }

    /// All values of the header `name`, in order, compared case-insensitively.
    public func values(named name: String) -> [String] {
        let lowered = name.lowercased()
        return filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// Removes every header called `name` (case-insensitively) and appends one with `value`.
    public mutating func replace(named name: String, with value: String) {
        let lowered = name.lowercased()
        removeAll { $0.name.lowercased() == lowered }
        append(HTTPHeader(name, value))
    }
}
