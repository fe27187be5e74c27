import Crypto
import Foundation

/// The byte spellings and comparison every layer uses: lower-case hex (SigV4, token hashes, script SHAs), URL-safe
/// base64 (tokens), and comparison of secrets that takes the same time wherever they differ.
public enum ByteEncoding {
    /// Lower-case hex of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// URL-safe base64 without padding.
    public static func base64URL(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes URL-safe base64 with or without padding; nil when it is not.
    public static func base64URL(decoding text: String) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard)
    }

    /// Whether two byte strings are equal, without an early exit, so timing does not tell how much of a guess was
    /// right. Lengths are compared first: callers compare fixed-length values (hashes, MACs) or hash first.
    public static func constantTimeEqual(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Whether two secrets are equal, in time that depends on neither (both are hashed to equal length first).
    public static func secretsEqual(_ lhs: String, _ rhs: String) -> Bool {
        constantTimeEqual(Array(SHA256.hash(data: Data(lhs.utf8))), Array(SHA256.hash(data: Data(rhs.utf8))))
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex, as SigV4 spells hashes and signatures.
    var hexString: String { ByteEncoding.hex(self) }
}
