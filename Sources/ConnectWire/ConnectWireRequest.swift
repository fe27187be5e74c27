import Foundation

/// The input shape of one operation.
///
/// Members the model binds to the JSON body are in the type's `CodingKeys`; members bound to a URI label or a header
/// are not, and travel through `pathParameters` / `boundHeaders` (client side) and `bind(pathParameters:headers:)`
/// (server side). Each such member says where it is bound in its doc comment.
public protocol ConnectWireRequest: Codable, Sendable {
    /// The output shape of the operation.
    associatedtype Response: Codable, Sendable

    /// The operation this is the input of.
    static var operation: ConnectOperation { get }

    /// Values of the URI labels, for rendering `operation.path(_:)`.
    var pathParameters: [String: String] { get }

    /// Members bound to headers (e.g. `X-Amz-Bearer`), to send with the request.
    var boundHeaders: [HTTPHeader] { get }

    /// Fills the members bound to URI labels and headers, throwing the service's validation error when a required one
    /// is missing.
    mutating func bind(pathParameters: [String: String], headers: [HTTPHeader]) throws(ConnectWireError)
}

extension ConnectWireRequest {
    /// No URI labels.
    public var pathParameters: [String: String] { [:] }

    /// No header-bound members.
    public var boundHeaders: [HTTPHeader] { [] }

    /// Nothing to bind.
    public mutating func bind(pathParameters: [String: String], headers: [HTTPHeader]) throws(ConnectWireError) {}

    /// Decodes the request a server received: the JSON body (empty reads as `{}`), then the bound members.
    public static func decode(
        body: some DataProtocol, pathParameters: [String: String] = [:], headers: [HTTPHeader] = []
    ) throws(ConnectWireError) -> Self {
        var request = try ConnectWireJSON.decode(Self.self, from: body, invalidCode: operation.service.validationErrorCode)
        try request.bind(pathParameters: pathParameters, headers: headers)
        return request
    }

    /// The path to send, relative to the endpoint's base path; nil when a URI label is empty.
    public var path: String? {
        Self.operation.path(pathParameters)
    }

    /// The JSON body to send: empty for GET operations (botocore sends none), the body members otherwise.
    public func encodedBody() throws(ConnectWireError) -> [UInt8] {
        Self.operation.method == "GET" ? [] : try ConnectWireJSON.encode(self)
    }

    /// The value bound to `name`, or the service's validation error naming the member.
    static func required(_ value: String?, member: String) throws(ConnectWireError) -> String {
        guard let value, !value.isEmpty else {
            throw ConnectWireError(operation.service.validationErrorCode, "Missing required member \(member)")
        }
        return value
    }
}
