import Foundation

@testable import ConnectWire

/// The shape of `Fixtures/botocore.json`, written by `Fixtures/generate_botocore_fixtures.py`.
struct BotocoreFixture: Decodable {
    struct Vector: Decodable, CustomTestStringConvertibleName {
        var name: String
        var service: String
        var region: String
        var accessKeyId: String
        var secretAccessKey: String
        var sessionToken: String?
        var amzDate: String
        var method: String
        var path: String
        var query: String
        /// Headers when botocore signed, plus the `Host` it derived from the URL.
        var signingHeaders: [[String]]
        /// Headers as sent, plus `Host`.
        var wireHeaders: [[String]]
        var bodyBase64: String
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var authorization: String

        var body: [UInt8] { Array(Data(base64Encoded: bodyBase64)!) }
        var date: Date { AWSDateFormat.parseAmzDate(amzDate)! }
        var credentials: AWSCredentials { AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken) }

        func request(headers: [[String]], body: [UInt8]? = nil) -> SigV4Request {
            SigV4Request(method: method, path: path, query: query, headers: headers.map { HTTPHeader($0[0], $0[1]) }, body: body ?? self.body)
        }

        var testName: String { name }
    }

    struct Operation: Decodable, CustomTestStringConvertibleName {
        var name: String
        var service: String
        var method: String
        /// Relative to the `/connect` base path.
        var path: String
        var boundHeaders: [[String]]
        var body: String
        var response: String

        var testName: String { name }
    }

    struct RenderedError: Decodable, CustomTestStringConvertibleName {
        var code: String
        var status: Int
        var headers: [[String]]
        var body: String
        var message: String

        var testName: String { code }
    }

    var botocoreVersion: String
    var sigv4: [Vector]
    var operations: [Operation]
    var errors: [RenderedError]

    static let shared: BotocoreFixture = {
        do {
            // Read beside this source file: the test target excludes Fixtures/ from its sources.
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/botocore.json")
            return try JSONDecoder().decode(BotocoreFixture.self, from: Data(contentsOf: path))
        } catch {
            fatalError("Fixtures/botocore.json does not decode: \(error)")
        }
    }()
}

/// Names a parameterized test case by its fixture entry.
protocol CustomTestStringConvertibleName: CustomStringConvertible {
    var testName: String { get }
}

extension CustomTestStringConvertibleName {
    var description: String { testName }
}

/// JSON equality that ignores key order and formatting: both sides are parsed and re-serialized with sorted keys.
func canonicalJSON(_ bytes: some DataProtocol) -> String {
    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
    else { return "<invalid JSON: \(String(decoding: Data(bytes), as: UTF8.self))>" }
    return String(decoding: data, as: UTF8.self)
}
