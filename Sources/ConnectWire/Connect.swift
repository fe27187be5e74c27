/// Shapes of Amazon Connect (`connect`, 2017-08-08), named and cased as in botocore's service model.
///
/// Members are optional unless the model marks them required; optional members left nil are omitted from the JSON.
public enum Connect {
    /// `Channel`.
    public struct Channel: AWSStringEnum {
        /// The raw value.
        public let rawValue: String
        /// Wraps a raw value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `VOICE`
        public static let voice: Self = "VOICE"
        /// `CHAT`
        public static let chat: Self = "CHAT"
        /// `TASK`
        public static let task: Self = "TASK"
        /// `EMAIL`
        public static let email: Self = "EMAIL"
    }

    /// `ContactInitiationMethod`.
    public struct ContactInitiationMethod: AWSStringEnum {
        /// The raw value.
        public let rawValue: String
        /// Wraps a raw value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `INBOUND`
        public static let inbound: Self = "INBOUND"
        /// `OUTBOUND`
        public static let outbound: Self = "OUTBOUND"
        /// `TRANSFER`
        public static let transfer: Self = "TRANSFER"
        /// `QUEUE_TRANSFER`
        public static let queueTransfer: Self = "QUEUE_TRANSFER"
        /// `CALLBACK`
        public static let callback: Self = "CALLBACK"
        /// `API` — what `StartChatContact` creates.
        public static let api: Self = "API"
        /// `DISCONNECT`
        public static let disconnect: Self = "DISCONNECT"
        /// `MONITOR`
        public static let monitor: Self = "MONITOR"
        /// `EXTERNAL_OUTBOUND`
        public static let externalOutbound: Self = "EXTERNAL_OUTBOUND"
        /// `WEBRTC_API` — what `StartWebRTCContact` creates.
        public static let webRTCAPI: Self = "WEBRTC_API"
        /// `AGENT_REPLY`
        public static let agentReply: Self = "AGENT_REPLY"
        /// `FLOW`
        public static let flow: Self = "FLOW"
    }

    /// `ParticipantDetails`.
    public struct ParticipantDetails: Codable, Sendable, Hashable {
        /// `DisplayName` (required, 1-256 characters).
        public var displayName: String
        /// Creates the details.
        public init(displayName: String) { self.displayName = displayName }
        enum CodingKeys: String, CodingKey { case displayName = "DisplayName" }
    }
}
