import NIOCore
import Testing

@testable import RedisClient

/// The reply reader against replies no honest Redis sends, as a compromised server or anything on the path could.
@Suite("HiredisReader on hostile replies")
struct HiredisReaderTests {
    @Test("an array that declares 2^31-1 elements reserves nothing on trust (fuzz find: 14 bytes asked for 34 GB)")
    func hugeDeclaredArray() throws {
        let reader = HiredisReader()
        try reader.feed(ByteBuffer(string: "*2147483647\r\n:1\r\n:2\r\n"))
        #expect(try reader.next() == nil)
        let small = HiredisReader()
        try small.feed(ByteBuffer(string: "*3\r\n:1\r\n$1\r\na\r\n*0\r\n"))
        #expect(try small.next() == .array([.integer(1), .bulk([UInt8(ascii: "a")]), .array([])]))
    }
}
