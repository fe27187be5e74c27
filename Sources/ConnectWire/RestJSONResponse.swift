import Foundation

/// An HTTP response in the AWS rest-json protocol, ready for the router to copy into its own response type.
///
/// botocore's `RestJSONParser` does not look at `Content-Type` (it parsed `application/json`,
/// `application/x-amz-json-1.1` and none alike in our fixture generator); we send `application/json` as Amazon Connect
/// does. It takes the error name from `x-amzn-ErrorType` (falling back to the body's `code`/`__type`) and the message
/// from the body's `message` (or `Message`).
public struct RestJSONResponse: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The headers, `Content-Type` first.
    public var headers: [HTTPHeader]
    /// The JSON body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A 200 response whose body is `value` as JSON.
    public static func success(_ value: some Encodable, requestId: String? = nil) throws(ConnectWireError) -> RestJSONResponse {
        var headers = [HTTPHeader("Content-Type", "application/json")]
        if let requestId {
            headers.append(HTTPHeader("x-amzn-RequestId", requestId))
        }
        return RestJSONResponse(status: 200, headers: headers, body: try ConnectWireJSON.encode(value))
    }
}

extension ConnectWireError {
    /// Renders the error as AWS rest-json services do: the model's status, `x-amzn-ErrorType: <Code>` and
    /// `{"message": "..."}`.
    public func restJSONResponse(requestId: String? = nil) -> RestJSONResponse {
        var headers = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("x-amzn-ErrorType", code.rawValue)]
        if let requestId {
            headers.append(HTTPHeader("x-amzn-RequestId", requestId))
        }
        let body = (try? ConnectWireJSON.encode(["message": message])) ?? Array(#"{"message":"error"}"#.utf8)
        return RestJSONResponse(status: code.httpStatus, headers: headers, body: body)
    }
}
