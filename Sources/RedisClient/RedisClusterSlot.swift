/// Redis Cluster's key → slot mapping: CRC16 (XMODEM) of the key, or of its hash tag (the text between the first `{`
/// and the next `}`, when that is not empty), modulo 16384.
public enum RedisClusterSlot {
    /// Slots in a cluster.
    public static let count = 16384

    /// The slot of `key`.
    public static func slot(of key: some Collection<UInt8>) -> UInt16 {
        var bytes = key[...]
        if let open = bytes.firstIndex(of: UInt8(ascii: "{")) {
            let rest = bytes[bytes.index(after: open)...]
            if let close = rest.firstIndex(of: UInt8(ascii: "}")), close != rest.startIndex { bytes = rest[..<close] }
        }
        var crc: UInt16 = 0
        for byte in bytes { crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)] }
        return crc & UInt16(count - 1)
    }

    /// The slot of `key`'s UTF-8 bytes.
    public static func slot(of key: String) -> UInt16 { slot(of: Array(key.utf8)) }

    /// Which argument of a command is the key that routes it, or `nil` for a command no key routes (PING, SCRIPT,
    /// PUBLISH, MULTI): what the commands this product sends need, not Redis's whole command table.
    static func keyIndex(command name: String, arguments count: Int, numberOfKeys: () -> Int?, streamsIndex: () -> Int?) -> Int? {
        switch name {
        case "EVALSHA", "EVAL", "EVALSHA_RO", "EVAL_RO", "FCALL", "FCALL_RO":
            return (numberOfKeys() ?? 0) > 0 && count > 3 ? 3 : nil
        case "XREADGROUP", "XREAD":
            return streamsIndex().map { $0 + 1 }.flatMap { $0 < count ? $0 : nil }
        case "XINFO", "XGROUP", "OBJECT", "MEMORY":
            return count > 2 ? 2 : nil
        case "PING", "INFO", "SCRIPT", "MULTI", "EXEC", "DISCARD", "AUTH", "SELECT", "CLIENT", "CLUSTER", "ASKING", "HELLO",
             "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "FLUSHDB", "FLUSHALL", "DBSIZE", "CONFIG",
             "TIME", "READONLY", "READWRITE", "COMMAND", "WAIT", "KEYS", "SCAN", "RANDOMKEY", "ACL", "QUIT", "RESET":
            return nil
        default:
            return count > 1 ? 1 : nil
        }
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
