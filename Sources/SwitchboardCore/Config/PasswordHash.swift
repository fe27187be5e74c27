import ConnectWire
import _CryptoExtras
import Crypto
import Foundation

/// Agent passwords as config.json keeps them (`local.agents[].passwordHash`, made by `switchboard hash-password`):
/// `pbkdf2-sha256$<rounds>$<salt>$<hash>`, salt and hash base64url. Salted and slow, and the string says how it was
/// made, so the rounds can be raised later without breaking the hashes already written.
public enum PasswordHash {
    /// Rounds for new hashes: OWASP's figure for PBKDF2-HMAC-SHA256, and swift-crypto's minimum.
    package static let rounds = 600_000

    /// A new hash of `password` with a random salt.
    public static func make(_ password: String) throws -> String {
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let hash = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(ByteEncoding.base64URL(salt))$\(ByteEncoding.base64URL(hash))"
    }

    /// Whether `encoded` is a hash this code can check (used when config.json is read).
    public static func isWellFormed(_ encoded: String) -> Bool {
        parse(encoded) != nil
    }

    /// Whether `password` matches `encoded`, compared in constant time.
    public static func verify(_ password: String, against encoded: String) -> Bool {
        guard let (rounds, salt, expected) = parse(encoded), let hash = try? derive(password, salt: salt, rounds: rounds),
              hash.count == expected.count else { return false }
        return ByteEncoding.constantTimeEqual(hash, expected)
    }

    private static func parse(_ encoded: String) -> (rounds: Int, salt: Data, hash: Data)? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds >= 210_000,
              let salt = ByteEncoding.base64URL(decoding: parts[2]), let hash = ByteEncoding.base64URL(decoding: parts[3]), hash.count == 32 else { return nil }
        return (rounds, salt, hash)
    }

    private static func derive(_ password: String, salt: Data, rounds: Int) throws -> Data {
        try KDF.Insecure.PBKDF2.deriveKey(from: Data(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds)
            .withUnsafeBytes { Data($0) }
    }
}
