import NIOCore
@testable import RedisClient

/// The RESP reply reader (hiredis behind `HiredisReader`, which builds `RedisReply` values in its callbacks) on any
/// bytes, as a Redis server or anything in its place could send them.
///
/// Checks, besides not trapping: the replies and the error do not depend on how the bytes are split into reads, which
/// the reader promises ("bytes go in as they arrive, however split"): the whole input in one read, one byte a read,
/// and reads of sizes drawn from the input must all give the same replies, then the same error or none. Every reply's
/// accessors (`string`, `int`, `stringMap`, ...) are read too, as the client's callers do.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRedisReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = read(bytes, chunkSizes: { _ in bytes.count })
    var seed = UInt64(size) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(bytes.first ?? 0)
    let drawn = read(bytes, chunkSizes: { _ in Int(next(&seed) % 17) + 1 })
    let dribbled = read(bytes, chunkSizes: { _ in 1 })
    guard drawn == whole, dribbled == whole else {
        fatalError("the split changed what was read:\nwhole: \(whole)\ndrawn: \(drawn)\none byte a read: \(dribbled)")
    }
    for reply in whole.replies { touch(reply) }
    return 0
}

struct Outcome: Equatable {
    var replies: [RedisReply] = []
    var error: String?
}

/// Feeds `bytes` in reads of `chunkSizes(i)` bytes, taking every complete reply after each read, as the channel
/// handler does; stops at the first error (where the handler closes the connection).
func read(_ bytes: [UInt8], chunkSizes: (Int) -> Int) -> Outcome {
    let reader = HiredisReader()
    var outcome = Outcome()
    var offset = 0
    var index = 0
    repeat {
        let end = min(bytes.count, offset + max(1, chunkSizes(index)))
        do {
            try reader.feed(ByteBuffer(bytes: bytes[offset..<end]))
            while let reply = try reader.next() { outcome.replies.append(reply) }
        } catch {
            outcome.error = error.message
            return outcome
        }
        (offset, index) = (end, index + 1)
    } while offset < bytes.count
    return outcome
}

/// Reads every accessor of `reply` and of its elements.
func touch(_ reply: RedisReply) {
    _ = (reply.string, reply.int, reply.bytes, reply.isNull, reply.stringMap, reply.strings)
    for item in reply.array ?? [] { touch(item) }
}

/// SplitMix64: chunk sizes that follow from the input, so a crash reproduces from its file alone.
func next(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
