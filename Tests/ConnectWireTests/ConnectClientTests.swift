import Foundation
import Testing

@testable import ConnectWire

@Suite("ConnectClient's credentials and error reading")
struct ConnectClientTests {
    @Test("the environment comes first, with its session token")
    func environmentCredentials() throws {
        let credentials = try AWSCredentials.fromStandardChain(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "token",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ])
        #expect(credentials == AWSCredentials(accessKeyId: "AKIDENV", secretAccessKey: "env-secret", sessionToken: "token"))
        #expect(throws: ConnectWireError.self) { try AWSCredentials.fromStandardChain(environment: ["AWS_ACCESS_KEY_ID": "AKIDENV"]) }
    }

    @Test("else the shared credentials file, profile AWS_PROFILE or default")
    func sharedFileCredentials() throws {
        let path = NSTemporaryDirectory() + "credentials-\(UUID().uuidString)"
        try """
            # comment
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key=default-secret

            [support]
            aws_access_key_id = AKIDSUPPORT
            aws_secret_access_key = support-secret
            aws_session_token = support-token
            """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let base = ["AWS_SHARED_CREDENTIALS_FILE": path]
        #expect(try AWSCredentials.fromStandardChain(environment: base) == AWSCredentials(accessKeyId: "AKIDDEFAULT", secretAccessKey: "default-secret"))
        #expect(try AWSCredentials.fromStandardChain(environment: base.merging(["AWS_PROFILE": "support"]) { $1 })
            == AWSCredentials(accessKeyId: "AKIDSUPPORT", secretAccessKey: "support-secret", sessionToken: "support-token"))
        let missing = #expect(throws: ConnectWireError.self) {
            try AWSCredentials.fromStandardChain(environment: base.merging(["AWS_PROFILE": "nobody"]) { $1 })
        }
        #expect(missing?.message.contains("profile nobody") == true)
        let noFile = #expect(throws: ConnectWireError.self) { try AWSCredentials.fromStandardChain(environment: ["HOME": "/nonexistent"]) }
        #expect(noFile?.message.contains("/nonexistent/.aws/credentials") == true)
    }

    @Test("an AWS error answer becomes the code of its kind, the name kept, and says whether to retry")
    func remoteErrors() {
        let body = Array(#"{"message":"Rate exceeded"}"#.utf8)
        let throttled = ConnectWireError(remoteStatus: 429, errorType: "TooManyRequestsException:http://internal", body: body)
        #expect(throttled.code == .throttling && throttled.message == "TooManyRequestsException: Rate exceeded" && throttled.isRetryable)
        let known = ConnectWireError(remoteStatus: 400, errorType: "InvalidParameterException", body: Array(#"{"Message":"Missing ParticipantDetails"}"#.utf8))
        #expect(known.code == .invalidParameter && known.message == "Missing ParticipantDetails" && !known.isRetryable)
        let typed = ConnectWireError(remoteStatus: 403, errorType: nil, body: Array(#"{"__type":"com.amazonaws.connect#UnrecognizedClientException","message":"bad token"}"#.utf8))
        #expect(typed.code == .accessDenied && typed.message.hasPrefix("UnrecognizedClientException") && !typed.isRetryable)
        let outage = ConnectWireError(remoteStatus: 503, errorType: nil, body: [])
        #expect(outage.code == .internalService && outage.isRetryable)
        #expect(ConnectWireError.transport("refused").isRetryable)
        #expect(!ConnectWireError(remoteStatus: 404, errorType: "ResourceNotFoundException", body: []).isRetryable)
    }
}
