import CHiredis
import NIOCore

/// hiredis' incremental RESP parser. Bytes go in as they arrive from the socket, however split; whole replies come out.
///
/// hiredis parses; instead of its own reply objects (two allocations per reply, freed again right after conversion),
/// its object callbacks build ``RedisReply`` values directly, so a reply costs only the allocations of the Swift value.
///
/// Not thread-safe: each channel handler owns one and uses it on its event loop only.
final class HiredisReader {
    private let reader: UnsafeMutablePointer<redisReader>
    private let functions: UnsafeMutablePointer<redisReplyObjectFunctions>
    /// Arrays still being filled, innermost last; hiredis creates an array before its elements and fills it in order.
    private var open: [(items: [RedisReply], expected: Int)] = []
    /// The last complete top-level reply.
    private var complete: RedisReply?

    init() {
        functions = .allocate(capacity: 1)
        functions.initialize(to: redisReplyObjectFunctions(
            createString: { task, bytes, length in
                let raw = UnsafeRawBufferPointer(start: bytes, count: length)
                let reply: RedisReply = switch task!.pointee.type {
                case REDIS_REPLY_STATUS: .status(String(decoding: raw, as: UTF8.self))
                case REDIS_REPLY_ERROR: .error(String(decoding: raw, as: UTF8.self))
                default: .bulk(length == 0 ? [] : Array(raw))
                }
                return HiredisReader.of(task).add(reply)
            },
            createArray: { task, count in HiredisReader.of(task).openArray(Int(count)) },
            createInteger: { task, value in HiredisReader.of(task).add(.integer(value)) },
            createNil: { task in HiredisReader.of(task).add(.null) },
            // Nothing to free: values live in `open` and `complete`, and a parse error closes the connection anyway.
            freeObject: { _ in }
        ))
        guard let reader = redisReaderCreateWithFunctions(functions) else { fatalError("redisReaderCreate failed: out of memory") }
        self.reader = reader
        reader.pointee.privdata = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        redisReaderFree(reader)
        functions.deinitialize(count: 1)
        functions.deallocate()
    }

    func feed(_ buffer: ByteBuffer) throws(RedisError) {
        let status = buffer.withUnsafeReadableBytes { raw -> Int32 in
            guard let base = raw.baseAddress, raw.count > 0 else { return REDIS_OK }
            return redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), raw.count)
        }
        if status != REDIS_OK { throw readerError() }
    }

    /// The next complete reply, or `nil` when more bytes are needed.
    func next() throws(RedisError) -> RedisReply? {
        var out: UnsafeMutableRawPointer? = nil
        guard redisReaderGetReply(reader, &out) == REDIS_OK else { throw readerError() }
        guard out != nil else { return nil }
        defer { complete = nil }
        return complete
    }

    private func readerError() -> RedisError {
        let text = withUnsafeBytes(of: reader.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RedisError(.protocolError, "hiredis reader: \(text)")
    }

    /// hiredis takes a null object for out of memory; every callback returns this instead of an object of its own.
    private static var token: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: 1)! }

    private static func of(_ task: UnsafePointer<redisReadTask>?) -> HiredisReader {
        Unmanaged<HiredisReader>.fromOpaque(task!.pointee.privdata).takeUnretainedValue()
    }

    /// Places a finished value in the innermost open array, closing every array it completes, or makes it the reply.
    private func add(_ reply: RedisReply) -> UnsafeMutableRawPointer {
        var value = reply
        while !open.isEmpty {
            let last = open.count - 1
            open[last].items.append(value)
            if open[last].items.count < open[last].expected { return Self.token }
            value = .array(open.removeLast().items)
        }
        complete = value
        return Self.token
    }

    private func openArray(_ count: Int) -> UnsafeMutableRawPointer {
        guard count > 0 else { return add(.array([])) }
        var items: [RedisReply] = []
        // The count is the peer's word, up to 2^31-1 in hiredis: reserving all of it on trust lets 14 bytes
        // (`*2147483647\r\n`) ask for 34 GB and crash the node (found by Tests/Fuzz). Past this the array grows as
        // elements really arrive.
        items.reserveCapacity(min(count, 1024))
        open.append((items, count))
        return Self.token
    }
}
