import SwitchboardCore
import ContactEngine
import ConnectWire
import Foundation
import Hummingbird
import Crypto
import RedisClient

/// The Connect-compatible API under `/connect` (SPEC §6): Amazon Connect operations verified by SigV4 against
/// `local.credentials`, Participant Service operations authorized only by their `X-Amz-Bearer` token (botocore signs
/// them too, as `execute-api`, but the real service ignores that signature and so do we). Answers and errors are AWS
/// rest-json, so boto3 raises the same exceptions as against AWS.
struct ConnectController: Sendable {
    let engine: LocalContactEngine
    let verifier: SigV4Verifier
    /// `security.rateLimits.connectApiPerSecondPerKey`.
    let limiter: RateLimiter
    /// `security.rateLimits.participantApiPerSecondPerToken`.
    let participantLimiter: RateLimiter
    let basePath = "/connect"

    init(engine: LocalContactEngine) {
        self.engine = engine
        limiter = RateLimiter(redis: engine.redis, keys: engine.keys, limit: engine.config.security.rateLimits.connectApiPerSecondPerKey,
                              windowSeconds: 1)
        participantLimiter = RateLimiter(redis: engine.redis, keys: engine.keys,
                                         limit: engine.config.security.rateLimits.participantApiPerSecondPerToken, windowSeconds: 1)
        let credentials = engine.config.local.credentials
        verifier = SigV4Verifier(region: engine.config.connect.region, service: ConnectService.connect.signingName) { accessKeyId in
            accessKeyId == credentials.accessKeyId
                ? AWSCredentials(accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey) : nil
        }
    }

    /// Mounts the catch-all routes (the operations' URIs are matched by ConnectWire, not by the router).
    func addRoutes(to router: Router<AppRequestContext>) {
        for method in [HTTPRequest.Method.get, .put, .post] {
            router.on("\(basePath)/**", method: method) { request, context in try await handle(request: request, context: context) }
        }
    }

    @Sendable func handle(request: Request, context: AppRequestContext) async throws -> Response {
        let requestId = UUID().uuidString.lowercased()
        let body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: engine.config.security.maxBodyBytes).readableBytesView)
        } catch {
            return Self.render(ConnectWireError(.invalidRequest, "Request body is larger than \(engine.config.security.maxBodyBytes) bytes")
                .restJSONResponse(requestId: requestId))
        }
        let path = request.uri.path
        guard let match = ConnectOperation.match(method: request.method.rawValue, path: path, basePath: basePath) else {
            return Self.render(ConnectWireError(.resourceNotFound, "No operation \(request.method.rawValue) \(path)").restJSONResponse(requestId: requestId))
        }
        var headers = request.headers.map { HTTPHeader($0.name.rawName, $0.value) }
        // HTTP/1's Host header becomes the request's authority in swift-http-types; SigV4 signs it as `host`.
        if let authority = request.head.authority, headers.first(named: "Host") == nil { headers.append(HTTPHeader("Host", authority)) }
        do {
            if match.operation.service == .connect {
                let accessKeyId = try verifier.verify(SigV4Request(method: request.method.rawValue, path: path, query: request.uri.query ?? "",
                                                                   headers: headers, body: body), now: Date())
                do {
                    try await limiter.check("connect-api", ip: accessKeyId)
                } catch let error as SwitchboardError where error.code == "RATE_LIMITED" {
                    throw ConnectWireError(.throttling, "Rate exceeded")
                }
            } else if let token = headers.first(named: "X-Amz-Bearer") {
                // Keyed by a digest: the token itself is a credential and must not appear in Redis keys.
                do {
                    try await participantLimiter.check("participant-api", ip: ByteEncoding.hex(SHA256.hash(data: Data(token.utf8)).prefix(16)))
                } catch let error as SwitchboardError where error.code == "RATE_LIMITED" {
                    throw ConnectWireError(.throttling, "Rate exceeded")
                }
            }
            return Self.render(try await dispatch(match, body: body, headers: headers, requestId: requestId))
        } catch let error as ConnectWireError {
            return Self.render(error.restJSONResponse(requestId: requestId))
        } catch {
            context.logger.error("connect operation failed", metadata: ["operation": "\(match.operation.rawValue)", "error": "\(error)"])
            let unavailable = (error as? RedisError).map { [.unavailable, .connectionClosed, .timeout, .shutdown].contains($0.code) } ?? false
            return Self.render(ConnectWireError(match.operation.service.internalErrorCode,
                                                unavailable ? "The service's data store is unreachable; try again" : "Internal error")
                .restJSONResponse(requestId: requestId))
        }
    }

    /// Copies a ConnectWire response into a Hummingbird one.
    static func render(_ response: RestJSONResponse) -> Response {
        var fields = HTTPFields()
        for header in response.headers {
            if let name = HTTPFields.Element.Name(header.name) { fields[name] = header.value }
        }
        return Response(status: .init(code: response.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}
