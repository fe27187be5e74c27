import SwitchboardCore
import ContactEngine
import Foundation
import Hummingbird
import RedisClient

/// Fixed-window rate limits shared by every node through Redis (one INCR + EXPIRE in a pipeline).
struct RateLimiter: Sendable {
    let redis: RedisClient
    let keys: RedisKeys
    /// Allowed requests per window; 0 = unlimited.
    let limit: Int
    /// Length of a window.
    let windowSeconds: Int

    /// A limit of `limit` requests per `windowSeconds` for each key checked.
    init(redis: RedisClient, keys: RedisKeys, limit: Int, windowSeconds: Int = 60) {
        self.redis = redis
        self.keys = keys
        self.limit = limit
        self.windowSeconds = windowSeconds
    }

    /// Counts one request of `kind` by `client` (an IP, an access key); throws `RATE_LIMITED` with `Retry-After` once
    /// the window's budget is spent.
    func check(_ kind: String, ip client: String) async throws {
        guard limit > 0 else { return }
        let now = Int(Date().timeIntervalSince1970)
        let window = now / windowSeconds
        let key = keys.rate(kind, client, window: window)
        let replies = try await redis.pipeline([RedisCommand("INCR", key), RedisCommand("EXPIRE", key, String(windowSeconds * 2))])
        guard let count = replies.first?.int else { throw RedisError(.unexpectedReply, "INCR returned no count") }
        if count > limit {
            let retryAfter = max(1, (window + 1) * windowSeconds - now)
            throw SwitchboardError(.tooManyRequests, "RATE_LIMITED", "too many requests; retry in \(retryAfter) s",
                           headers: [.retryAfter: String(retryAfter)])
        }
    }
}
