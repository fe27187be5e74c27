import SwitchboardCore
import ConnectWire
import HTTPTypes
import Hummingbird

/// The bridge key's check, shared by every route it guards (`/bridge/events`, `/aws/preferred-agent`): the key in
/// `X-Switchboard-Bridge-Key` (401 otherwise), with wrong keys counted per client address
/// (`security.rateLimits.bridgeAuthFailuresPerMinutePerIp`). An address that spent its failures gets 429 before its key
/// is looked at, so the key cannot be guessed faster than the limit allows.
struct BridgeKeyGuard: Sendable {
    let apiKey: String
    let failures: RateLimiter
    let clientAddress: ClientAddress

    func authorize(_ request: Request, context: AppRequestContext) async throws {
        let client = clientAddress.of(request, context: context)
        try await failures.refuseIfSpent("bridge-auth-failure", ip: client)
        guard let key = request.headers[HTTPField.Name("X-Switchboard-Bridge-Key")!], ByteEncoding.secretsEqual(key, apiKey) else {
            try await failures.check("bridge-auth-failure", ip: client)
            throw SwitchboardError.unauthorized("missing or wrong X-Switchboard-Bridge-Key")
        }
    }
}
