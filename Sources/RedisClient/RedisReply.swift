/// One RESP2 reply, as hiredis parses it.
public enum RedisReply: Sendable, Hashable {
    /// A simple string such as `OK` or `PONG`.
    case status(String)
    /// An error reply; ``RedisClient`` surfaces these as ``RedisError`` instead of returning them.
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string; binary safe.
    case bulk([UInt8])
    /// A null bulk string or null array.
    case null
    /// An array reply, possibly nested.
    case array([RedisReply])

    /// The reply as text: bulk strings and statuses decoded as UTF-8, integers printed; `nil` otherwise.
    public var string: String? {
        switch self {
        case .status(let s): s
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let i): String(i)
        default: nil
        }
    }

    /// The reply as an integer: integer replies, and bulk strings holding a decimal number.
    public var int: Int? {
        switch self {
        case .integer(let i): Int(i)
        case .bulk, .status: string.flatMap { Int($0) }
        default: nil
        }
    }

    /// The elements of an array reply; `nil` for a null reply or any other kind.
    public var array: [RedisReply]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The raw bytes of a bulk string.
    public var bytes: [UInt8]? {
        if case .bulk(let b) = self { return b }
        return nil
    }

    /// Whether the reply is a null bulk string or null array.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// An array reply of alternating field/value strings (HGETALL, XRANGE entry fields) as a dictionary.
    public var stringMap: [String: String] {
        guard let items = array else { return [:] }
        var map: [String: String] = [:]
        map.reserveCapacity(items.count / 2)
        var index = items.startIndex
        while index + 1 < items.endIndex {
            if let key = items[index].string, let value = items[index + 1].string { map[key] = value }
            index += 2
        }
        return map
    }

    /// An array reply of strings; non-string elements are skipped.
    public var strings: [String] {
        array?.compactMap(\.string) ?? []
    }
}
