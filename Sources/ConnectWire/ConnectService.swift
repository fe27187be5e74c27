/// The two AWS services the contact engine imitates.
public enum ConnectService: String, Sendable, Hashable, CaseIterable {
    /// Amazon Connect (`connect`, API version 2017-08-08), SigV4-signed.
    case connect
    /// Amazon Connect Participant Service (`connectparticipant`, 2018-09-07), authorized by the `X-Amz-Bearer` token.
    case participant

    /// The SigV4 signing name (`credentialScope`'s service part). botocore signs participant calls too, as
    /// `execute-api`, although the service authorizes them by bearer token.
    public var signingName: String {
        switch self {
        case .connect: "connect"
        case .participant: "execute-api"
        }
    }

    /// The error the service uses for a missing or malformed member.
    public var validationErrorCode: ConnectWireError.Code {
        switch self {
        case .connect: .invalidParameter
        case .participant: .validation
        }
    }

    /// The error the service uses for an internal failure.
    public var internalErrorCode: ConnectWireError.Code {
        switch self {
        case .connect: .internalService
        case .participant: .internalServer
        }
    }
}
