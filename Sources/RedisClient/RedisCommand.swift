import CHiredis
import NIOCore

/// One argument of a Redis command: text or raw bytes.
public enum RedisArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// UTF-8 text.
    case string(String)
    /// Raw bytes, sent as they are.
    case bytes([UInt8])

    /// A string literal argument.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal argument, sent as its decimal text.
    public init(integerLiteral value: Int) { self = .string(String(value)) }
    /// A decimal integer argument.
    public static func int(_ value: Int) -> RedisArgument { .string(String(value)) }
}

/// A command encoded to RESP by hiredis' `redisFormatCommandArgv`, ready to write.
///
/// Encoding happens in the caller's task, off the event loop, so many tasks encode in parallel.
public struct RedisCommand: Sendable {
    /// The command's wire bytes.
    public let encoded: ByteBuffer
    /// The command name, for logs and metrics.
    public let name: String
    /// The cluster slot of the key that routes the command (``RedisClusterSlot``), or `nil` when no key does. Read from
    /// the wire bytes when asked, so only cluster mode pays for it, not every command of a standalone client.
    public var slot: UInt16? { RedisClusterSlot.slot(ofEncoded: encoded, name: name) }

    /// Encodes `arguments`; the first is the command name.
    public init(_ arguments: [RedisArgument]) {
        precondition(!arguments.isEmpty, "a Redis command needs a name")
        // All arguments go into one contiguous buffer so a single pointer base serves every argv entry.
        var storage: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            let start = storage.count
            switch argument {
            case .string(let s): storage.append(contentsOf: s.utf8)
            case .bytes(let b): storage.append(contentsOf: b)
            }
            lengths.append(storage.count - start)
        }
        if storage.isEmpty { storage.append(0) }  // a valid base pointer even when every argument is empty
        let name = {
            if case .string(let s) = arguments[0] { return s.uppercased() }
            return "?"
        }()
        self.name = name
        self.encoded = storage.withUnsafeBufferPointer { base in
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(lengths.count)
            var offset = 0
            let raw = UnsafeRawPointer(base.baseAddress!)
            for length in lengths {
                pointers.append((raw + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            var target: UnsafeMutablePointer<CChar>? = nil
            let count = lengths.withUnsafeBufferPointer { lens in
                pointers.withUnsafeMutableBufferPointer { argv in
                    redisFormatCommandArgv(&target, Int32(lengths.count), argv.baseAddress, lens.baseAddress)
                }
            }
            guard count > 0, let target else { fatalError("redisFormatCommandArgv failed: out of memory") }
            defer { redisFreeCommand(target) }
            return ByteBuffer(bytes: UnsafeRawBufferPointer(start: target, count: Int(count)))
        }
    }

    /// Encodes a command given as text arguments.
    public init(_ arguments: String...) {
        self.init(arguments.map { .string($0) })
    }
}
