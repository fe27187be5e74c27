/// The result of signing, with the intermediate strings that explain it (AWS error messages quote them too).
public struct SigV4Signature: Sendable, Hashable {
    /// The `Authorization` header value.
    public var authorization: String
    /// The hex signature alone.
    public var signature: String
    /// The `X-Amz-Date` value signed.
    public var amzDate: String
    /// `date/region/service/aws4_request`.
    public var credentialScope: String
    /// The lower-case header names signed, sorted.
    public var signedHeaders: [String]
    /// The canonical request hashed into the string to sign.
    public var canonicalRequest: String
    /// The string the signing key signed.
    public var stringToSign: String
}
