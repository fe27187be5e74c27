import NIOCore

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

    /// For each slot, a short hash tag in it (`{<tag>}` in a name puts the name in that slot): names a sharded channel
    /// in the slot of a script's keys.
    public static let tags: [String] = {
        var tags = [String](repeating: "", count: count), missing = count
        var n = 0
        while missing > 0 {
            let tag = String(n, radix: 36)
            let slot = Int(Self.slot(of: tag.utf8))
            if tags[slot].isEmpty {
                tags[slot] = tag
                missing -= 1
            }
            n += 1
        }
        return tags
    }()

    /// The slot of `key`'s UTF-8 bytes.
    public static func slot(of key: String) -> UInt16 { slot(of: key.utf8) }

    /// The slot of the key that routes an encoded command (RESP `*N` then `$len` arguments), or `nil` when no key does.
    static func slot(ofEncoded encoded: ByteBuffer, name: String) -> UInt16? {
        let bytes = encoded.readableBytesView
        var arguments: [Range<ByteBufferView.Index>] = []
        var index = bytes.startIndex
        /// The decimal number after `index` up to CRLF; moves `index` past the CRLF.
        func number() -> Int? {
            var value = 0
            while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\r") {
                guard (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
                index += 1
            }
            index += 2
            return value
        }
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "*") else { return nil }
        index += 1
        guard let count = number() else { return nil }
        for _ in 0..<count {
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "$") else { return nil }
            index += 1
            guard let length = number(), index + length <= bytes.endIndex else { return nil }
            arguments.append(index..<(index + length))
            index += length + 2
        }
        func text(_ position: Int) -> String { String(decoding: bytes[arguments[position]], as: UTF8.self) }
        let key = keyIndex(command: name, arguments: arguments.count,
                           numberOfKeys: { arguments.count > 2 ? Int(text(2)) : nil },
                           streamsIndex: { arguments.indices.first { text($0).uppercased() == "STREAMS" } })
        return key.map { slot(of: bytes[arguments[$0]]) }
    }

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
