import Foundation
import Hummingbird
#if canImport(Glibc)
import Glibc
#endif

/// An address block (`10.0.0.0/8`, `::1/128`, or one address) of `security.trustedProxies`.
public struct CIDR: Sendable, Equatable {
    let bytes: [UInt8]
    let prefix: Int

    /// Parses `address[/prefix]`; nil when it is not an IPv4 or IPv6 block.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let bytes = Self.parse(parts[0]) else { return nil }
        let maxPrefix = bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : maxPrefix
        guard let prefix, (0...maxPrefix).contains(prefix) else { return nil }
        self.bytes = bytes
        self.prefix = prefix
    }

    /// Whether `address` is inside the block.
    public func contains(_ address: String) -> Bool {
        guard let other = Self.parse(address), other.count == bytes.count else { return false }
        var left = prefix
        for (a, b) in zip(bytes, other) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }

    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

/// Which address a request comes from, for limits and logs: the peer, or, when the peer is a trusted proxy, the
/// nearest address in `X-Forwarded-For` that is not one of ours. From anyone else the header is ignored, so it cannot
/// be used to dodge a limit.
struct ClientAddress: Sendable {
    let trustedProxies: [CIDR]

    func of(_ request: Request, context: AppRequestContext) -> String {
        var address = context.remoteAddress?.ipAddress ?? "unknown"
        guard isTrusted(address), let header = request.headers[values: .init("X-Forwarded-For")!].last else { return address }
        // Right to left: each trusted proxy appended the address it got the request from.
        for hop in header.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }).reversed() {
            guard CIDR.parse(hop) != nil else { break }
            address = hop
            if !isTrusted(hop) { break }
        }
        return address
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
