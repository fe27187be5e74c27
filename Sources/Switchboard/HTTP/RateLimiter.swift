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
        let window = Window(seconds: windowSeconds)
        let key = keys.rate(kind, client, window: window.index)
        let replies = try await redis.pipeline([RedisCommand("INCR", key), RedisCommand("EXPIRE", key, String(windowSeconds * 2))])
        guard let count = replies.first?.int else { throw RedisError(.unexpectedReply, "INCR returned no count") }
        if count > limit { throw window.refusal }
    }

    /// Throws `RATE_LIMITED` if `client` already used this window's budget of `kind`, without counting anything: for
    /// budgets of failures, which only failures spend (``check(_:ip:)`` counts them).
    func refuseIfSpent(_ kind: String, ip client: String) async throws {
        guard limit > 0 else { return }
        let window = Window(seconds: windowSeconds)
        if let count = try await redis.send(RedisCommand("GET", keys.rate(kind, client, window: window.index))).string.flatMap(Int.init),
           count >= limit {
            throw window.refusal
        }
    }

    /// The current fixed window.
    private struct Window {
        let now = Int(Date().timeIntervalSince1970)
        let seconds: Int
        var index: Int { now / seconds }

        /// 429 with the seconds until the next window.
        var refusal: SwitchboardError {
            let retryAfter = max(1, (index + 1) * seconds - now)
            return SwitchboardError(.tooManyRequests, "RATE_LIMITED", "too many requests; retry in \(retryAfter) s",
                                    headers: [.retryAfter: String(retryAfter)])
        }
    }
}
