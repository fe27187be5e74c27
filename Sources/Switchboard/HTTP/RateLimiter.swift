import Foundation
import Hummingbird
import RedisClient

/// Fixed-window per-IP rate limits shared by every node through Redis (one INCR + PEXPIRE in a pipeline).
struct RateLimiter: Sendable {
    let redis: RedisClient
    let keys: RedisKeys
    /// Allowed requests per minute; 0 = unlimited.
    let perMinute: Int

    func check(_ kind: String, ip: String) async throws {
        guard perMinute > 0 else { return }
        let now = Int(Date().timeIntervalSince1970)
        let window = now / 60
        let key = keys.rate(kind, ip, window: window)
        let replies = try await redis.pipeline([RedisCommand("INCR", key), RedisCommand("EXPIRE", key, "120")])
        guard let count = replies.first?.int else { throw RedisError(.unexpectedReply, "INCR returned no count") }
        if count > perMinute {
            let retryAfter = (window + 1) * 60 - now
            throw APIError(.tooManyRequests, "RATE_LIMITED", "too many requests; retry in \(retryAfter) s",
                           headers: [.retryAfter: String(max(1, retryAfter))])
        }
    }
}
