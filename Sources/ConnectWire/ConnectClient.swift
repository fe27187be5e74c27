import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Calls Amazon Connect, or anything that speaks its wire protocol (another Switchboard node in local mode): each
/// request signed with SigV4, bounded by a timeout, and retried as the AWS SDKs' standard mode does.
public struct ConnectClient: Sendable {
    /// Where and how to call.
    public struct Configuration: Sendable {
        /// Base URL, with any base path: `https://connect.us-west-2.amazonaws.com`, `http://127.0.0.1:8080/connect`.
        public var endpoint: String
        /// Region of the credential scope.
        public var region: String
        /// How long one attempt may take, connect included.
        public var timeout: TimeAmount
        /// Attempts per call, the first included (standard mode: 3).
        public var maxAttempts: Int
        /// Upper bound of the wait between attempts (standard mode: 20 s).
        public var maxBackoff: TimeAmount

        /// Makes a configuration with the standard mode's retry settings.
        public init(endpoint: String, region: String, timeout: TimeAmount = .seconds(10), maxAttempts: Int = 3,
                    maxBackoff: TimeAmount = .seconds(20)) {
            self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
            self.region = region
            self.timeout = timeout
            self.maxAttempts = max(1, maxAttempts)
            self.maxBackoff = maxBackoff
        }
    }

    /// The settings in use.
    public let configuration: Configuration
    let credentials: AWSCredentials
    let http: HTTPClient
    let signer: SigV4Signer

    /// A client sending through `http` (which the caller shuts down).
    public init(configuration: Configuration, credentials: AWSCredentials, http: HTTPClient) {
        self.configuration = configuration
        self.credentials = credentials
        self.http = http
        signer = SigV4Signer(credentials: credentials, region: configuration.region, service: ConnectService.connect.signingName)
    }

    /// Sends `request` and decodes its response. Throttling, 5xx answers and transport failures are retried with capped
    /// exponential backoff and full jitter; other errors come back at once. Requests that create something carry a
    /// `ClientToken`, so a retry of one that did arrive creates nothing twice.
    public func send<R: ConnectWireRequest>(_ request: R) async throws(ConnectWireError) -> R.Response {
        var attempt = 1
        while true {
            do {
                return try await sendOnce(request)
            } catch let error where error.isRetryable && attempt < configuration.maxAttempts {
                // Standard mode: a random wait in [0, 2^(attempt-1) s], at most maxBackoff.
                let ceiling = min(Double(configuration.maxBackoff.nanoseconds), 1e9 * pow(2, Double(attempt - 1)))
                try? await Task.sleep(nanoseconds: UInt64(Double.random(in: 0...ceiling)))
                attempt += 1
            }
        }
    }

    private func sendOnce<R: ConnectWireRequest>(_ request: R) async throws(ConnectWireError) -> R.Response {
        guard let path = request.path, let url = URL(string: configuration.endpoint + path), let host = url.host else {
            throw ConnectWireError(.invalidParameter, "a path parameter of \(R.operation.rawValue) is empty")
        }
        let body = try request.encodedBody()
        let authority = url.port.map { "\(host):\($0)" } ?? host
        var headers = [HTTPHeader("Host", authority)] + request.boundHeaders
        if !body.isEmpty { headers.append(HTTPHeader("Content-Type", "application/json")) }
        // The path as sent (still percent-encoded): SigV4 signs what is on the wire.
        let signed = signer.sign(SigV4Request(method: R.operation.method, path: url.path(percentEncoded: true), headers: headers, body: body),
                                 date: Date())

        var outgoing = HTTPClientRequest(url: url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: R.operation.method)
        for header in signed.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if !body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let status: Int
        let received: ByteBuffer
        let responseHeaders: HTTPHeaders
        do {
            let response = try await http.execute(outgoing, timeout: configuration.timeout)
            status = Int(response.status.code)
            responseHeaders = response.headers
            received = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw ConnectWireError.transport("\(R.operation.rawValue) to \(configuration.endpoint) failed: \(error)")
        }
        let bytes = Array(received.readableBytesView)
        guard (200..<300).contains(status) else {
            throw ConnectWireError(remoteStatus: status, errorType: responseHeaders.first(name: "x-amzn-ErrorType"), body: bytes)
        }
        do {
            return try JSONDecoder().decode(R.Response.self, from: Data(bytes.isEmpty ? Array("{}".utf8) : bytes))
        } catch {
            throw ConnectWireError(.internalService, "\(R.operation.rawValue) answered a body that is not its response: \(error)")
        }
    }
}

extension ConnectWireError {
    /// The failure of a call that got no answer (refused, reset, timed out): `InternalServiceException` for renderers,
    /// with ``transportFailure`` set so callers can say the service cannot be reached.
    public static func transport(_ message: String) -> ConnectWireError {
        var error = ConnectWireError(.internalService, message)
        error.transportFailure = true
        return error
    }

    /// The error an AWS service answered: its name from `x-amzn-ErrorType` (or the body's `__type`/`code`), mapped onto
    /// the codes we know by kind, the original name kept in the message.
    init(remoteStatus status: Int, errorType: String?, body: [UInt8]) {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        let rawName = errorType ?? object["__type"] as? String ?? object["code"] as? String ?? "HTTP\(status)"
        // `x-amzn-ErrorType` may carry a suffix (`Name:http://...`), `__type` a namespace (`com.amazonaws...#Name`).
        let name = String(rawName.split(separator: ":").first ?? "").split(separator: "#").last.map(String.init) ?? rawName
        let message = object["message"] as? String ?? object["Message"] as? String ?? ""
        let code: Code
        if let known = Code(rawValue: name) {
            code = known
        } else if Self.throttlingNames.contains(name) {
            code = .throttling
        } else {
            switch status {
            case 403, 401: code = .accessDenied
            case 404: code = .resourceNotFound
            case 429: code = .throttling
            case 400..<500: code = .invalidRequest
            default: code = .internalService
            }
        }
        self.init(code, code.rawValue == name ? message : "\(name): \(message)")
        remoteStatus = status
    }

    /// Error names botocore's standard retry mode treats as throttling.
    static let throttlingNames: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]

    /// Worth another attempt (standard mode): no answer, throttling, or a 5xx answer.
    public var isRetryable: Bool {
        transportFailure || code == .throttling || code == .limitExceeded || (remoteStatus.map { $0 >= 500 } ?? false)
    }
}
