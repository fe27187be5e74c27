import CHiredis
import NIOCore

/// hiredis' incremental RESP parser. Bytes go in as they arrive from the socket, however split; whole replies come out.
///
/// Not thread-safe: each channel handler owns one and uses it on its event loop only.
final class HiredisReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        guard let reader = redisReaderCreate() else { fatalError("redisReaderCreate failed: out of memory") }
        self.reader = reader
    }

    deinit { redisReaderFree(reader) }

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
        guard let out else { return nil }
        defer { freeReplyObject(out) }
        return Self.convert(out.assumingMemoryBound(to: redisReply.self))
    }

    private func readerError() -> RedisError {
        let text = withUnsafeBytes(of: reader.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RedisError(.protocolError, "hiredis reader: \(text)")
    }

    private static func convert(_ reply: UnsafePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(r.len == 0 ? [] : Array(UnsafeRawBufferPointer(start: r.str, count: r.len)))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(r.integer)
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(r.elements)
            for i in 0..<r.elements { items.append(convert(r.element[i]!)) }
            return .array(items)
        default:
            return .null
        }
    }
}
