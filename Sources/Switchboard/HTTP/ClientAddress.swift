import SwitchboardCore
import ContactEngine
import Foundation
import Hummingbird
#if canImport(Glibc)
import Glibc
#endif

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
