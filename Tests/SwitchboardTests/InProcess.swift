import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import Switchboard
import SwitchboardCore
import TestSupport

/// One node's application run in this process with HummingbirdTesting (its services against the test Redis, requests
/// handed to its router without a socket): for what is about HTTP only. Processes stay for what needs them (kill,
/// SIGTERM, several nodes, WebSockets through a real server).
enum InProcess {
    /// Runs `test` against a node built from the repository's config.json with `overrides`, on a fresh key prefix.
    static func run(_ overrides: [String: Any] = [:],
                    _ test: @Sendable (_ client: any TestClientProtocol, _ deployment: TestDeployment) async throws -> Void) async throws {
        let deployment = try await TestDeployment(overrides)
        let json = TestDeployment.merge(deployment.config, ["node": ["host": "127.0.0.1", "port": 0]])
        let config = try SwitchboardConfig.decode(JSONSerialization.data(withJSONObject: json))
        var logger = Logger(label: "in-process")
        logger.logLevel = .warning
        let (app, _) = try await buildApplication(NodeOptions(config: config, nodeId: "\(deployment.prefix)-in-process"), logger: logger)
        try await app.test(.router) { client in try await test(client, deployment) }
    }
}

extension TestClientProtocol {
    /// POSTs `body` (JSON-encoded unless it is already `Data`) and returns the status and the JSON object answered.
    func post(_ path: String, _ body: Any, headers: [String: String] = [:]) async throws -> (status: Int, json: [String: Any]?) {
        let data = try (body as? Data) ?? JSONSerialization.data(withJSONObject: body, options: [.fragmentsAllowed])
        var fields: HTTPFields = [.contentType: "application/json"]
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return try await execute(uri: path, method: .post, headers: fields, body: ByteBuffer(data: data)) { response in
            (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        }
    }

    /// GETs `path`; the status, the JSON object answered and the headers.
    func get(_ path: String) async throws -> (status: Int, json: [String: Any]?, headers: HTTPFields) {
        try await execute(uri: path, method: .get) { response in
            (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any], response.headers)
        }
    }
}

extension [String: Any] {
    /// `error.code` and `error.message` of a SPEC §3 error body.
    var error: (code: String?, message: String?) {
        let error = self["error"] as? [String: Any]
        return (error?["code"] as? String, error?["message"] as? String)
    }
}
