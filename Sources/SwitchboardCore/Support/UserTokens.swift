import ConnectWire
import Crypto
import Foundation

/// The `userToken` a start call hands the widget for its user (SPEC v2 §3): HMAC-SHA256 of the userId under
/// `security.userTokenSecret`, base64url. Nothing is stored; any node recomputes it, and a userId alone no longer lets
/// anyone receive that user's pushes (`/ws` registration checks it, §4).
public struct UserTokens: Sendable {
    // The secret's bytes, not a SymmetricKey: that type is not Sendable, and making one per use costs nothing.
    private let secret: Data
    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// Tokens under `secret`.
    public init(secret: String) {
        self.secret = Data(secret.utf8)
    }

    /// The token of `userId`.
    public func token(for userId: String) -> String {
        ByteEncoding.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(userId.utf8), using: key)))
    }

    /// Whether `token` is `userId`'s, compared in constant time.
    public func isValid(_ token: String, for userId: String) -> Bool {
        guard let mac = ByteEncoding.base64URL(decoding: token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(userId.utf8), using: key)
    }
}
