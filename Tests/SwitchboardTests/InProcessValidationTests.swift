import Foundation
import Hummingbird
import HummingbirdTesting
import Switchboard
import SwitchboardCore
import ContactEngine
import Testing
import TestSupport

/// The HTTP-only validation checks, run in process (HummingbirdTesting) rather than against node processes.
@Suite("Bad HTTP input gets clear errors (in process)", .timeLimit(.minutes(2)))
struct InProcessValidationTests {
    @Test("bridge: the fixtures are accepted, the malformed ones rejected naming the field, keys and limits enforced (in process)")
    func bridgeInput() async throws {
        try await InProcess.run(["security": ["maxBridgeBodyBytes": 8192]]) { client, _ in
            func bridge(_ events: Any, key: String = "local-demo-bridge-key") async throws -> (status: Int, json: [String: Any]?) {
                try await client.post("/bridge/events", events, headers: ["X-Switchboard-Bridge-Key": key])
            }
            let path = ValidationTests.fixturesPath()
            let story = try String(contentsOfFile: path + "/contact-events.ndjson", encoding: .utf8).split(separator: "\n")
                .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
            var (status, body) = try await bridge(story)
            #expect(status == 202 && body?["accepted"] as? Int == 6)
            let pascal = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + "/contact-event-pascalcase.json")))
            (status, body) = try await bridge(pascal)
            #expect(status == 202 && body?["accepted"] as? Int == 1)

            let reasons = ["\"id\" is missing", "\"detail.contactId\" is missing", "not JSON", "must be a JSON object",
                           "not an Amazon Connect contact event"]
            let lines = try String(contentsOfFile: path + "/malformed-events.txt", encoding: .utf8).split(separator: "\n")
            #expect(lines.count == reasons.count)
            for (line, reason) in zip(lines, reasons) {
                let (status, json) = try await bridge(Data(line.utf8))
                #expect(status == 400, "\(line)")
                #expect(json?.error.code == "INVALID_REQUEST")
                #expect(json?.error.message?.contains(reason) == true, "\(line) → \(json ?? [:])")
            }
            (status, body) = try await bridge(story, key: "wrong")
            #expect(status == 401 && body?.error.code == "UNAUTHORIZED")
            (status, _) = try await client.post("/bridge/events", story)
            #expect(status == 401)
            (status, body) = try await bridge((0..<11).map { _ in contactEvent("QUEUED", contactId: "c1") })
            #expect(status == 400 && body?.error.message?.contains("at most 10") == true)
            var big = story[0] as! [String: Any]
            big["padding"] = String(repeating: "x", count: 9000)  // unknown fields are allowed; the size is not
            (status, body) = try await bridge(big)
            #expect(status == 413 && body?.error.code == "PAYLOAD_TOO_LARGE")
            // A bad element in a batch names its index.
            var mixed = story
            mixed[2] = ["id": "x", "detail-type": "Amazon Connect Contact Event", "source": "aws.connect", "detail": ["eventType": "QUEUED"]]
            (status, body) = try await bridge(mixed)
            #expect(status == 400 && body?.error.message?.contains("event [2]") == true)
        }
    }

    @Test("customer API: userId, relatedContactId, initiationMethod, body size and rate limit (in process)")
    func customerAPI() async throws {
        let limits: [String: Any] = ["security": ["rateLimits": ["startContactPerMinutePerIp": 5], "maxBodyBytes": 512, "maxCustomerNameChars": 10]]
        try await InProcess.run(limits) { client, _ in
            func expectError(_ path: String, _ json: Any, status: Int, code: String) async throws {
                let (got, body) = try await client.post(path, json)
                #expect(got == status, "\(path) \(json)")
                #expect(body?.error.code == code, "\(path) \(json) → \(body ?? [:])")
            }
            func start(_ kind: String, _ json: [String: Any]) async throws -> String {
                let (status, body) = try await client.post("/start-\(kind)-contact", json)
                return try #require(body?["contactId"] as? String, "\(status) \(body ?? [:])")
            }
            let user = newUserId()
            try await expectError("/start-chat-contact", ["userId": "bob"], status: 400, code: "INVALID_REQUEST")
            try await expectError("/start-chat-contact", [:], status: 400, code: "INVALID_REQUEST")
            try await expectError("/start-chat-contact", ["userId": user, "initiationMethod": "Voice"], status: 400, code: "INVALID_REQUEST")
            try await expectError("/start-chat-contact", ["userId": user, "customerName": 7], status: 400, code: "INVALID_REQUEST")
            try await expectError("/start-voice-contact", ["userId": user, "relatedContactId": UUID().uuidString], status: 400,
                                  code: "INVALID_RELATED_CONTACT")
            try await expectError("/start-chat-contact", ["userId": user, "customerName": "Ava Longname"], status: 400, code: "INVALID_REQUEST")
            // Counted in code points as sent, as docs/openapi.yaml's maxLength counts: 6 characters of 2 code points each, and
            // 10 letters with a space around them, are over 10.
            try await expectError("/start-chat-contact", ["userId": user, "customerName": String(repeating: "e\u{301}", count: 6)], status: 400,
                                  code: "INVALID_REQUEST")
            try await expectError("/start-voice-contact", ["userId": user, "customerName": " Avalongnam "], status: 400, code: "INVALID_REQUEST")
            try await expectError("/start-chat-contact", ["userId": user, "customerName": String(repeating: "x", count: 600)], status: 413,
                                  code: "PAYLOAD_TOO_LARGE")
            let (status, body) = try await client.post("/start-chat-contact", Data("{not json".utf8))
            #expect(status == 400 && body?.error.code == "INVALID_REQUEST")

            // A related contact of another user, or an ended one, is refused.
            let chat = try await start("chat", ["userId": user])
            try await expectError("/start-voice-contact", ["userId": newUserId(), "relatedContactId": chat], status: 400,
                                  code: "INVALID_RELATED_CONTACT")
            _ = try await start("voice", ["userId": user, "relatedContactId": chat])
            // 3 starts so far passed the limiter (plus the refused related ones that reached it); the limit is 5 a minute.
            // 11 more outlast it even if a minute ends meanwhile (at most 2 left in this window, 5 in the next).
            var limited: HTTPFields?
            for _ in 0..<11 {
                let headers = try await client.execute(uri: "/start-chat-contact", method: .post, headers: [.contentType: "application/json"],
                                                       body: ByteBuffer(string: #"{"userId":"\#(user)"}"#)) { response in
                    response.status == .tooManyRequests ? response.headers : nil
                }
                if let headers {
                    limited = headers
                    break
                }
            }
            #expect(Int(limited?[.retryAfter] ?? "") ?? 0 > 0)
        }
    }

    @Test("/metrics: open without security.metricsToken; with one, only the right bearer token reads it (in process)")
    func metricsToken() async throws {
        try await InProcess.run { client, _ in
            let (status, _, _) = try await client.get("/metrics")
            #expect(status == 200)
        }
        try await InProcess.run(["security": ["metricsToken": "metrics-s3cret"]]) { client, _ in
            /// Status and content type of a scrape. (This process has not bootstrapped swift-metrics, so the text is empty.)
            func scrape(_ authorization: String?) async throws -> (Int, String?) {
                var headers: HTTPFields = [:]
                if let authorization { headers[.authorization] = authorization }
                return try await client.execute(uri: "/metrics", method: .get, headers: headers) { response in
                    (Int(response.status.code), response.headers[.contentType])
                }
            }
            for refused in [nil, "Bearer wrong", "metrics-s3cret", "Bearer "] {
                let (status, type) = try await scrape(refused)
                #expect(status == 401 && type == "application/json", "\(refused ?? "no header")")
            }
            let (status, type) = try await scrape("Bearer metrics-s3cret")
            #expect(status == 200 && type?.hasPrefix("text/plain") == true)
        }
    }
}
