import SwitchboardCore
import ContactEngine
import ConnectWire
import Foundation
import RedisClient

extension ConnectController {
    /// Decodes the operation's input and runs it on the engine.
    func dispatch(_ match: ConnectOperationMatch, body: [UInt8], headers: [HTTPHeader], requestId: String) async throws -> RestJSONResponse {
        let p = match.pathParameters
        switch match.operation {
        case .startChatContact:
            let input = try Connect.StartChatContactRequest.decode(body: body, pathParameters: p, headers: headers)
            try checkInstance(input.instanceId)
            var request = try startRequest(attributes: input.attributes, displayName: input.participantDetails.displayName,
                                           relatedContactId: input.relatedContactId)
            if let minutes = input.chatDurationInMinutes {
                guard (60...10_080).contains(minutes) else { throw ConnectWireError(.validation, "ChatDurationInMinutes must be 60 to 10080") }
                request.durationSeconds = minutes * 60
            }
            // Checked before the contact exists, so a bad first message leaves no contact behind.
            if let message = input.initialMessage { try checkMessage(contentType: message.contentType, content: message.content) }
            let (started, _) = try await engine.start(channel: "CHAT", request: request)
            if let message = input.initialMessage, let contact = try await engine.contact(id: started.contactId) {
                try await engine.appendItem(contactId: contact.id, initialContactId: contact.initialContactId, participantId: started.participantId,
                                            role: .customer, displayName: contact.customerName, type: .message,
                                            contentType: message.contentType, content: message.content)
            }
            return try .success(Connect.StartChatContactResponse(contactId: started.contactId, participantId: started.participantId,
                                                                 participantToken: started.participantToken), requestId: requestId)
        case .startWebRTCContact:
            let input = try Connect.StartWebRTCContactRequest.decode(body: body, pathParameters: p, headers: headers)
            try checkInstance(input.instanceId)
            let request = try startRequest(attributes: input.attributes, displayName: input.participantDetails.displayName,
                                           relatedContactId: input.relatedContactId)
            let (started, data) = try await engine.start(channel: "VOICE", request: request)
            return try .success(Connect.StartWebRTCContactResponse(connectionData: data, contactId: started.contactId,
                                                                   participantId: started.participantId,
                                                                   participantToken: started.participantToken), requestId: requestId)
        case .describeContact:
            let input = try Connect.DescribeContactRequest.decode(body: body, pathParameters: p, headers: headers)
            try checkInstance(input.instanceId)
            return try .success(Connect.DescribeContactResponse(contact: describe(try await existing(input.contactId))), requestId: requestId)
        case .getContactAttributes:
            let input = try Connect.GetContactAttributesRequest.decode(body: body, pathParameters: p, headers: headers)
            try checkInstance(input.instanceId)
            let contact = try await existing(input.initialContactId)
            return try .success(Connect.GetContactAttributesResponse(attributes: contact.attributes), requestId: requestId)
        case .updateContactAttributes:
            let input = try Connect.UpdateContactAttributesRequest.decode(body: body, pathParameters: p, headers: headers)
            try checkInstance(input.instanceId)
            let contact = try await existing(input.initialContactId)
            let result = try await engine.redis.evalScript(
                engine.scripts[.contactUpdateAttributes], keys: [engine.keys.contact(contact.id)],
                args: [.int(engine.config.security.maxAttributeBytes)]
                    + input.attributes.sorted { $0.key < $1.key }.flatMap { [RedisArgument.string($0.key), .string($0.value)] }).int
            if result == -2 {
                throw ConnectWireError(.invalidParameter, "Attributes would exceed \(engine.config.security.maxAttributeBytes) bytes")
            }
            if result != 1 { throw ConnectWireError(.resourceNotFound, "Contact not found: \(contact.id)") }
            return try .success(Connect.UpdateContactAttributesResponse(), requestId: requestId)
        case .stopContact:
            let input = try Connect.StopContactRequest.decode(body: body, pathParameters: p, headers: headers)
            try checkInstance(input.instanceId)
            guard Self.isId(input.contactId), try await engine.contact(id: input.contactId) != nil else {
                throw ConnectWireError(.contactNotFound, "Contact not found: \(input.contactId)")
            }
            try await engine.endContact(input.contactId, reason: input.disconnectReason?.code ?? "API")
            return try .success(Connect.StopContactResponse(), requestId: requestId)
        case .createParticipantConnection:
            let input = try ConnectParticipant.CreateParticipantConnectionRequest.decode(body: body, pathParameters: p, headers: headers)
            let types = input.type ?? []
            guard !types.isEmpty, types.allSatisfy({ $0 == .websocket || $0 == .connectionCredentials }) else {
                throw ConnectWireError(.validation, "Type must list WEBSOCKET and/or CONNECTION_CREDENTIALS")
            }
            var response = try await engine.createConnection(participantToken: input.participantToken,
                                                             connectParticipant: input.connectParticipant ?? false)
            if !types.contains(.websocket) { response.websocket = nil }
            if !types.contains(.connectionCredentials) { response.connectionCredentials = nil }
            return try .success(response, requestId: requestId)
        case .sendMessage:
            let input = try ConnectParticipant.SendMessageRequest.decode(body: body, pathParameters: p, headers: headers)
            try checkMessage(contentType: input.contentType, content: input.content)
            let item = try await send(type: .message, connectionToken: input.connectionToken, contentType: input.contentType,
                                      content: input.content, clientToken: input.clientToken)
            return try .success(ConnectParticipant.SendMessageResponse(id: item.id, absoluteTime: item.absoluteTime), requestId: requestId)
        case .sendEvent:
            let input = try ConnectParticipant.SendEventRequest.decode(body: body, pathParameters: p, headers: headers)
            let allowed = [ConnectParticipant.EventContentType.typing, ConnectParticipant.EventContentType.messageDelivered,
                           ConnectParticipant.EventContentType.messageRead, ConnectParticipant.EventContentType.connectionAcknowledged]
            guard allowed.contains(input.contentType) else {
                throw ConnectWireError(.validation, "ContentType must be one of \(allowed.joined(separator: ", "))")
            }
            if let content = input.content, content.utf8.count > engine.config.security.maxMessageBytes {
                throw ConnectWireError(.validation, "Content is longer than \(engine.config.security.maxMessageBytes) bytes")
            }
            let item = try await send(type: .event, connectionToken: input.connectionToken, contentType: input.contentType,
                                      content: input.content, clientToken: input.clientToken)
            return try .success(ConnectParticipant.SendEventResponse(id: item.id, absoluteTime: item.absoluteTime), requestId: requestId)
        case .getTranscript:
            let input = try ConnectParticipant.GetTranscriptRequest.decode(body: body, pathParameters: p, headers: headers)
            let maxResults = input.maxResults ?? 15
            guard (0...100).contains(maxResults) else { throw ConnectWireError(.validation, "MaxResults must be between 0 and 100") }
            let direction = input.scanDirection ?? "BACKWARD"
            let order = input.sortOrder ?? "ASCENDING"
            guard ["FORWARD", "BACKWARD"].contains(direction) else { throw ConnectWireError(.validation, "ScanDirection must be FORWARD or BACKWARD") }
            guard ["ASCENDING", "DESCENDING"].contains(order) else { throw ConnectWireError(.validation, "SortOrder must be ASCENDING or DESCENDING") }
            if let token = input.nextToken, !Self.isStreamId(token) { throw ConnectWireError(.validation, "NextToken is not valid") }
            let (_, contact) = try await engine.participant(token: input.connectionToken, kind: .connection)
            let page = try await engine.transcriptPage(contactId: contact.id, maxResults: max(maxResults, 1), nextToken: input.nextToken,
                                                       forward: direction == "FORWARD", ascending: order == "ASCENDING")
            return try .success(ConnectParticipant.GetTranscriptResponse(initialContactId: contact.initialContactId, transcript: page.items,
                                                                         nextToken: page.nextToken), requestId: requestId)
        case .disconnectParticipant:
            let input = try ConnectParticipant.DisconnectParticipantRequest.decode(body: body, pathParameters: p, headers: headers)
            try await engine.disconnect(connectionToken: input.connectionToken)
            return try .success(ConnectParticipant.DisconnectParticipantResponse(), requestId: requestId)
        }
    }

    func checkInstance(_ instanceId: String) throws(ConnectWireError) {
        guard instanceId == engine.config.connect.instanceId else {
            throw ConnectWireError(.resourceNotFound, "Instance not found: \(instanceId)")
        }
    }

    /// The contact named by a request, or ResourceNotFoundException.
    func existing(_ contactId: String) async throws -> ContactRecord {
        guard Self.isId(contactId), let contact = try await engine.contact(id: contactId) else {
            throw ConnectWireError(.resourceNotFound, "Contact not found: \(contactId)")
        }
        return contact
    }

    /// Validates what both start operations share.
    func startRequest(attributes: [String: String]?, displayName: String, relatedContactId: String?) throws -> StartContactRequest {
        let attributes = attributes ?? [:]
        let size = attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard size <= engine.config.security.maxAttributeBytes else {
            throw ConnectWireError(.invalidParameter, "Attributes exceed \(engine.config.security.maxAttributeBytes) bytes")
        }
        guard (1...256).contains(displayName.count) else {
            throw ConnectWireError(.invalidParameter, "ParticipantDetails.DisplayName must be 1 to 256 characters")
        }
        if let related = relatedContactId, !Self.isId(related) {
            throw ConnectWireError(.resourceNotFound, "Related contact not found: \(related)")
        }
        return StartContactRequest(attributes: attributes, customerName: displayName, relatedContactId: relatedContactId)
    }

    func checkMessage(contentType: String, content: String) throws(ConnectWireError) {
        guard ["text/plain", "text/markdown", "application/json"].contains(contentType) else {
            throw ConnectWireError(.validation, "ContentType must be text/plain, text/markdown or application/json")
        }
        guard !content.isEmpty, content.utf8.count <= engine.config.security.maxMessageBytes else {
            throw ConnectWireError(.validation, "Content must be 1 to \(engine.config.security.maxMessageBytes) bytes")
        }
    }

    /// SendMessage and SendEvent once their content is checked: the `ClientToken` limit, then the item.
    func send(type: ConnectParticipant.ChatItemType, connectionToken: String, contentType: String, content: String?,
              clientToken: String?) async throws -> ConnectParticipant.Item {
        try Self.checkClientToken(clientToken)
        return try await engine.send(connectionToken: connectionToken, type: type, contentType: contentType, content: content,
                                     clientToken: clientToken)
    }

    /// Connect's limit for `ClientToken`: at most 500 characters.
    static func checkClientToken(_ token: String?) throws(ConnectWireError) {
        guard let token else { return }
        guard (1...500).contains(token.count) else { throw ConnectWireError(.validation, "ClientToken must be 1 to 500 characters") }
    }

    /// DescribeContact's `Contact` for a record.
    func describe(_ contact: ContactRecord) -> Connect.Contact {
        let connect = engine.config.connect
        let instanceArn = "arn:aws:connect:\(connect.region):000000000000:instance/\(connect.instanceId)"
        func date(_ millis: Int?) -> Date? { millis.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
        return Connect.Contact(
            arn: "\(instanceArn)/contact/\(contact.id)", id: contact.id, initialContactId: contact.initialContactId,
            initiationMethod: Connect.ContactInitiationMethod(rawValue: contact.initiationMethod), channel: Connect.Channel(rawValue: contact.channel),
            queueInfo: contact.queue.map { Connect.QueueInfo(id: $0, enqueueTimestamp: date(contact.initiatedAt)) },
            agentInfo: contact.agentId.map { Connect.AgentInfo(id: $0, connectedToAgentTimestamp: date(contact.connectedAt)) },
            initiationTimestamp: date(contact.initiatedAt), disconnectTimestamp: date(contact.endedAt),
            lastUpdateTimestamp: date(contact.endedAt ?? contact.connectedAt ?? contact.initiatedAt), relatedContactId: contact.relatedContactId,
            disconnectReason: contact.disconnectReason, attributes: contact.attributes)
    }

    static func isId(_ id: String) -> Bool { LocalContactEngine.isValidId(id) }

    /// `<ms>-<seq>`, the shape of our NextToken.
    static func isStreamId(_ token: String) -> Bool {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.count <= 20 && $0.allSatisfy(\.isNumber) }
    }
}
