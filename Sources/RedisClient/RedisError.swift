/// The one error type of the Redis client.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely, so callers can decide whether to retry.
    public enum Code: Sendable, Hashable {
        /// Redis answered with an error reply; `message` holds it (e.g. `NOSCRIPT ...`, `WRONGTYPE ...`).
        case server
        /// The connection closed while the command was in flight; it may or may not have run.
        case connectionClosed
        /// Redis could not be reached; the client is backing off before the next attempt.
        case unavailable
        /// No reply within the command timeout; the connection was closed since reply order can't be trusted after.
        case timeout
        /// The bytes from Redis could not be parsed.
        case protocolError
        /// A reply had a shape the typed helper did not expect.
        case unexpectedReply
        /// The client was shut down.
        case shutdown
        /// A bad argument or configuration, found before anything was sent.
        case invalidArgument
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation; for `.server` the error reply exactly as Redis sent it.
    public var message: String
    /// The command never reached the wire (its connection was already failing), so sending it again is safe.
    var notSent = false

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The first word of a server error reply, such as `NOSCRIPT` or `BUSYGROUP`.
    public var serverErrorPrefix: Substring? {
        guard code == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first
    }

    /// Text for logs.
    public var description: String { "RedisError(\(code)): \(message)" }
}
