/// An operation recognised from a request line, with its URI labels decoded.
public struct ConnectOperationMatch: Sendable, Hashable {
    /// The operation.
    public var operation: ConnectOperation
    /// Label name (as in the template, e.g. `InstanceId`) to percent-decoded value.
    public var pathParameters: [String: String]

    /// Creates a match.
    public init(operation: ConnectOperation, pathParameters: [String: String]) {
        self.operation = operation
        self.pathParameters = pathParameters
    }
}

extension ConnectOperation {
    /// Finds the operation for `method` and the raw (still percent-encoded) `path`.
    ///
    /// `basePath` (e.g. `/connect`) is removed first when `path` starts with it; a query string after `?` is ignored.
    /// Returns nil for unknown paths and for a known path with another method. Labels match one non-empty segment.
    public static func match(method: String, path: String, basePath: String = "") -> ConnectOperationMatch? {
        var relative = Substring(path)
        if let query = relative.firstIndex(of: "?") {
            relative = relative[..<query]
        }
        let base = basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
        if !base.isEmpty {
            guard relative.hasPrefix(base) else { return nil }
            relative = relative.dropFirst(base.count)
        }
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard relative.hasPrefix("/") else { return nil }
        let upperMethod = method.uppercased()
        for operation in allCases where operation.method == upperMethod {
            let template = operation.templateSegments
            guard template.count == segments.count else { continue }
            var parameters = [String: String]()
            var matched = true
            for (expected, actual) in zip(template, segments) {
                switch expected {
                case .literal(let text):
                    matched = actual == text
                case .label(let name):
                    matched = !actual.isEmpty
                    parameters[name] = AWSURIEncoding.decode(actual)
                }
                if !matched { break }
            }
            if matched {
                return ConnectOperationMatch(operation: operation, pathParameters: parameters)
            }
        }
        return nil
    }
}
