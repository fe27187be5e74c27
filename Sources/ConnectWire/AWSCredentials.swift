/// An AWS access key pair, optionally with the session token of temporary credentials.
public struct AWSCredentials: Sendable, Hashable {
    /// The access key id, sent in clear in the `Credential=` part of the `Authorization` header.
    public var accessKeyId: String
    /// The secret the signing key is derived from; never sent.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}
