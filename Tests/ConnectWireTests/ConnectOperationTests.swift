import Foundation
import Testing

@testable import ConnectWire

@Suite("Operations: routing and model shapes against botocore")
struct ConnectOperationTests {
    @Test("the table has botocore's method and URI for every operation")
    func table() {
        let expected: [ConnectOperation: String] = [
            .startChatContact: "PUT /contact/chat",
            .startWebRTCContact: "PUT /contact/webrtc",
            .describeContact: "GET /contacts/{InstanceId}/{ContactId}",
            .getContactAttributes: "GET /contact/attributes/{InstanceId}/{InitialContactId}",
            .updateContactAttributes: "POST /contact/attributes",
            .stopContact: "POST /contact/stop",
            .createParticipantConnection: "POST /participant/connection",
            .sendMessage: "POST /participant/message",
            .sendEvent: "POST /participant/event",
            .getTranscript: "POST /participant/transcript",
            .disconnectParticipant: "POST /participant/disconnect",
        ]
        #expect(Dictionary(uniqueKeysWithValues: ConnectOperation.allCases.map { ($0, "\($0.method) \($0.uriTemplate)") }) == expected)
        #expect(Set(BotocoreFixture.shared.operations.map(\.name)) == Set(ConnectOperation.allCases.map(\.rawValue)))
    }

    @Test("botocore's request line matches its operation and labels", arguments: BotocoreFixture.shared.operations)
    func matchesBotocorePath(sample: BotocoreFixture.Operation) throws {
        let match = try #require(ConnectOperation.match(method: sample.method, path: sample.path))
        #expect(match.operation.rawValue == sample.name)
        #expect(match.operation.service == (sample.service == "connect" ? .connect : .participant))
        #expect(match.operation.path(match.pathParameters) == sample.path)
        #expect(ConnectOperation.match(method: sample.method, path: "/connect" + sample.path + "?x=1", basePath: "/connect") == match)
    }

    @Test("labels are percent-decoded and re-encoded like botocore")
    func encodedLabels() throws {
        let match = try #require(ConnectOperation.match(method: "GET", path: "/contacts/i-1/contact%20%C3%A9%3A1%2F2%203~x"))
        #expect(match.operation == .describeContact)
        #expect(match.pathParameters == ["InstanceId": "i-1", "ContactId": "contact é:1/2 3~x"])
        #expect(ConnectOperation.describeContact.path(match.pathParameters) == "/contacts/i-1/contact%20%C3%A9%3A1%2F2%203~x")
        #expect(ConnectOperation.describeContact.path(["InstanceId": "i"]) == nil)
    }

    @Test("unknown paths, wrong methods and empty labels do not match")
    func noMatch() {
        #expect(ConnectOperation.match(method: "GET", path: "/contact/chat") == nil)
        #expect(ConnectOperation.match(method: "PUT", path: "/contact/chat/") == nil)
        #expect(ConnectOperation.match(method: "GET", path: "/contacts/i/") == nil)
        #expect(ConnectOperation.match(method: "GET", path: "/contacts/i/c/d") == nil)
        #expect(ConnectOperation.match(method: "POST", path: "/participant/nope") == nil)
        #expect(ConnectOperation.match(method: "PUT", path: "/other/contact/chat", basePath: "/connect") == nil)
        #expect(ConnectOperation.match(method: "put", path: "/connect/contact/chat", basePath: "/connect/")?.operation == .startChatContact)
    }

    @Test("requests decode from botocore's serialization and encode back to it", arguments: BotocoreFixture.shared.operations)
    func requestRoundTrip(sample: BotocoreFixture.Operation) throws {
        let match = try #require(ConnectOperation.match(method: sample.method, path: sample.path))
        let headers = sample.boundHeaders.map { HTTPHeader($0[0], $0[1]) }
        let body = Array(sample.body.utf8)
        switch match.operation {
        case .startChatContact:
            try roundTrip(Connect.StartChatContactRequest.self, sample, match, headers, body)
        case .startWebRTCContact:
            try roundTrip(Connect.StartWebRTCContactRequest.self, sample, match, headers, body)
        case .describeContact:
            let request = try roundTrip(Connect.DescribeContactRequest.self, sample, match, headers, body)
            #expect(request.contactId == "9f1d6c0e-3b5a-4f7e-8e43-1c2b3a4d5e6f")
        case .getContactAttributes:
            let request = try roundTrip(Connect.GetContactAttributesRequest.self, sample, match, headers, body)
            #expect(request.initialContactId == "9f1d6c0e-3b5a-4f7e-8e43-1c2b3a4d5e6f")
        case .updateContactAttributes:
            let request = try roundTrip(Connect.UpdateContactAttributesRequest.self, sample, match, headers, body)
            #expect(request.attributes == ["tier": "gold", "note": "a b/c"])
        case .stopContact:
            try roundTrip(Connect.StopContactRequest.self, sample, match, headers, body)
        case .createParticipantConnection:
            let request = try roundTrip(ConnectParticipant.CreateParticipantConnectionRequest.self, sample, match, headers, body)
            #expect(request.type == [.websocket, .connectionCredentials])
            #expect(request.participantToken == "participant-token")
        case .sendMessage:
            let request = try roundTrip(ConnectParticipant.SendMessageRequest.self, sample, match, headers, body)
            #expect(request.content == "Hello é 😀")
            #expect(request.connectionToken == "connection-token")
        case .sendEvent:
            let request = try roundTrip(ConnectParticipant.SendEventRequest.self, sample, match, headers, body)
            #expect(request.contentType == ConnectParticipant.EventContentType.typing)
        case .getTranscript:
            let request = try roundTrip(ConnectParticipant.GetTranscriptRequest.self, sample, match, headers, body)
            #expect(request.maxResults == 1 && request.nextToken == "next-1")
        case .disconnectParticipant:
            try roundTrip(ConnectParticipant.DisconnectParticipantRequest.self, sample, match, headers, body)
        }
    }

    @discardableResult
    func roundTrip<R: ConnectWireRequest>(
        _ type: R.Type, _ sample: BotocoreFixture.Operation, _ match: ConnectOperationMatch, _ headers: [HTTPHeader], _ body: [UInt8]
    ) throws -> R {
        #expect(R.operation == match.operation)
        let request = try R.decode(body: body, pathParameters: match.pathParameters, headers: headers)
        let encoded = try request.encodedBody()
        #expect(canonicalJSON(encoded.isEmpty ? Array("{}".utf8) : encoded) == canonicalJSON(body.isEmpty ? Array("{}".utf8) : body))
        #expect(R.operation.method != "GET" || encoded.isEmpty)
        #expect(request.path == sample.path)
        #expect(request.boundHeaders == headers)
        try checkResponse(R.Response.self, sample)
        return request
    }

    func checkResponse<T: Codable>(_ type: T.Type, _ sample: BotocoreFixture.Operation) throws {
        let decoded = try JSONDecoder().decode(T.self, from: Data(sample.response.utf8))
        let encoded = try ConnectWireJSON.encode(decoded)
        #expect(canonicalJSON(encoded) == canonicalJSON(Data(sample.response.utf8)), "\(sample.name) response")
    }

    @Test("DescribeContact timestamps are epoch seconds whatever the encoder's date strategy")
    func epochTimestamps() throws {
        let contact = Connect.Contact(
            id: "c", initiationMethod: .api, channel: .chat, initiationTimestamp: Date(timeIntervalSince1970: 1_714_566_896.123),
            disconnectTimestamp: Date(timeIntervalSince1970: 1_714_567_000))
        let json = String(decoding: try JSONEncoder().encode(Connect.DescribeContactResponse(contact: contact)), as: UTF8.self)
        #expect(json.contains(#""InitiationTimestamp":1714566896.123"#))
        #expect(json.contains(#""DisconnectTimestamp":1714567000"#))
        #expect(json.contains(#""Channel":"CHAT""#) && json.contains(#""InitiationMethod":"API""#))
        let back = try JSONDecoder().decode(Connect.DescribeContactResponse.self, from: Data(json.utf8))
        #expect(back.contact?.disconnectTimestamp == Date(timeIntervalSince1970: 1_714_567_000))
    }

    @Test("enum values the model does not list yet still decode")
    func openEnums() throws {
        let contact = try JSONDecoder().decode(Connect.Contact.self, from: Data(#"{"Channel":"HOLOGRAM","InitiationMethod":"API"}"#.utf8))
        #expect(contact.channel == Connect.Channel(rawValue: "HOLOGRAM"))
        #expect(contact.initiationMethod == .api)
    }

    @Test("decoding failures become the service's validation error naming the member")
    func decodingErrors() {
        #expect(throws: ConnectWireError(.invalidParameter, "Missing required member ParticipantDetails.DisplayName")) {
            try Connect.StartChatContactRequest.decode(body: Array(#"{"InstanceId":"i","ContactFlowId":"f","ParticipantDetails":{}}"#.utf8))
        }
        #expect(throws: ConnectWireError(.invalidParameter, "Invalid value for member Attributes.k")) {
            try Connect.UpdateContactAttributesRequest.decode(body: Array(#"{"InstanceId":"i","InitialContactId":"c","Attributes":{"k":1}}"#.utf8))
        }
        #expect(throws: ConnectWireError(.validation, "Request body is not valid JSON")) {
            try ConnectParticipant.SendMessageRequest.decode(body: Array("{".utf8), headers: [HTTPHeader("X-Amz-Bearer", "t")])
        }
        #expect(throws: ConnectWireError(.accessDenied, "Missing X-Amz-Bearer token")) {
            try ConnectParticipant.SendMessageRequest.decode(body: Array(#"{"ContentType":"text/plain","Content":"x"}"#.utf8))
        }
        #expect(throws: ConnectWireError(.invalidParameter, "Missing required member ContactId")) {
            try Connect.DescribeContactRequest.decode(body: [UInt8](), pathParameters: ["InstanceId": "i"])
        }
    }
}
