/// The operations the contact engine serves, with the HTTP binding botocore's service models give them.
public enum ConnectOperation: String, Sendable, Hashable, CaseIterable {
    /// `PUT /contact/chat`
    case startChatContact = "StartChatContact"
    /// `PUT /contact/webrtc`
    case startWebRTCContact = "StartWebRTCContact"
    /// `GET /contacts/{InstanceId}/{ContactId}`
    case describeContact = "DescribeContact"
    /// `GET /contact/attributes/{InstanceId}/{InitialContactId}`
    case getContactAttributes = "GetContactAttributes"
    /// `POST /contact/attributes`
    case updateContactAttributes = "UpdateContactAttributes"
    /// `POST /contact/stop`
    case stopContact = "StopContact"
    /// `POST /participant/connection`
    case createParticipantConnection = "CreateParticipantConnection"
    /// `POST /participant/message`
    case sendMessage = "SendMessage"
    /// `POST /participant/event`
    case sendEvent = "SendEvent"
    /// `POST /participant/transcript`
    case getTranscript = "GetTranscript"
    /// `POST /participant/disconnect`
    case disconnectParticipant = "DisconnectParticipant"

    /// The service the operation belongs to.
    public var service: ConnectService {
        switch self {
        case .startChatContact, .startWebRTCContact, .describeContact, .getContactAttributes, .updateContactAttributes, .stopContact:
            .connect
        case .createParticipantConnection, .sendMessage, .sendEvent, .getTranscript, .disconnectParticipant:
            .participant
        }
    }

    /// The HTTP method.
    public var method: String {
        switch self {
        case .startChatContact, .startWebRTCContact: "PUT"
        case .describeContact, .getContactAttributes: "GET"
        default: "POST"
        }
    }

    /// The request URI template relative to the endpoint's base path; `{Name}` is a label bound to a request member.
    public var uriTemplate: String {
        switch self {
        case .startChatContact: "/contact/chat"
        case .startWebRTCContact: "/contact/webrtc"
        case .describeContact: "/contacts/{InstanceId}/{ContactId}"
        case .getContactAttributes: "/contact/attributes/{InstanceId}/{InitialContactId}"
        case .updateContactAttributes: "/contact/attributes"
        case .stopContact: "/contact/stop"
        case .createParticipantConnection: "/participant/connection"
        case .sendMessage: "/participant/message"
        case .sendEvent: "/participant/event"
        case .getTranscript: "/participant/transcript"
        case .disconnectParticipant: "/participant/disconnect"
        }
    }

    /// The status of a successful response (200 for all of these, as their models declare none).
    public var successStatus: Int { 200 }

    /// The names of the URI labels, in template order.
    public var pathParameterNames: [String] {
        templateSegments.compactMap(\.label)
    }

    /// Renders the template with each label percent-encoded as botocore does (`/` in a value becomes `%2F`);
    /// nil when a label has no non-empty value.
    public func path(_ parameters: [String: String]) -> String? {
        var rendered = ""
        for segment in templateSegments {
            switch segment {
            case .literal(let text):
                rendered += "/" + text
            case .label(let name):
                guard let value = parameters[name], !value.isEmpty else { return nil }
                rendered += "/" + AWSURIEncoding.encode(value)
            }
        }
        return rendered
    }

    enum TemplateSegment: Hashable {
        case literal(String)
        case label(String)

        var label: String? {
            if case .label(let name) = self { name } else { nil }
        }
    }

    var templateSegments: [TemplateSegment] {
        uriTemplate.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .label(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
    }
}
