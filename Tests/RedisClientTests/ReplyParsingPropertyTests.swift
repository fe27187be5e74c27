import PropertyBased
import RedisClient
import Testing
import TestSupport

/// Random reply trees, produced by a real redis-server from a Lua script and read both whole and dribbled a few
/// bytes at a time, must come out as exactly the tree that was asked for.
@Suite("Reply parsing of random nested replies", .timeLimit(.minutes(2)))
struct ReplyParsingPropertyTests {
    /// A reply tree built deterministically from generated numbers, with the Lua expression that returns it.
    struct Case {
        var expected: RedisReply
        var lua: String
        var arguments: [[UInt8]] = []

        init(_ choices: [Int]) {
            expected = .null
            lua = ""
            var rest = choices[...]
            (expected, lua) = build(&rest, depth: 0)
        }

        private mutating func build(_ rest: inout ArraySlice<Int>, depth: Int) -> (RedisReply, String) {
            let choice = rest.popFirst() ?? 0
            switch choice % 6 {
            case 0:
                // Bytes that include NUL, CR, LF and RESP markers now and then.
                let bytes = (0..<((choice * 7) % 60)).map { UInt8((choice * 31 + $0 * 17) % 256) }
                arguments.append(bytes)
                return (.bulk(bytes), "ARGV[\(arguments.count)]")
            case 1:
                let value = Int64(choice - 50) * 1_000_003
                return (.integer(value), "(\(value))")
            case 2:
                return (.null, "false")
            case 3:
                arguments.append(Array("S\(choice)".utf8))
                return (.status("S\(choice)"), "{ok=ARGV[\(arguments.count)]}")
            default:
                guard depth < 5 else { return (.integer(Int64(choice)), "\(choice)") }
                var items: [RedisReply] = []
                var parts: [String] = []
                for _ in 0..<(choice % 5) {
                    let (item, part) = build(&rest, depth: depth + 1)
                    items.append(item)
                    parts.append(part)
                }
                return (.array(items), "{" + parts.joined(separator: ", ") + "}")
            }
        }
    }

    @Test("any nested reply tree parses to the same value, whole or split across many reads")
    func randomTrees() async throws {
        let server = try await RedisServer()
        let proxy = try await DribblingProxy(targetSocket: server.socketPath, chunkSize: 3, pause: .microseconds(50))
        let direct = RedisClient(configuration: server.configuration(RedisConfiguration(poolSize: 2)))
        let dribbled = RedisClient(configuration: RedisConfiguration(port: proxy.port, poolSize: 1, commandTimeout: .seconds(20)))
        await propertyCheck(count: 150, input: Gen.int(in: 0...99).array(of: 1...40)) { choices in
            let tree = Case(choices)
            let command = RedisCommand([.string("EVAL"), .string("return " + tree.lua), .string("0")] + tree.arguments.map { .bytes($0) })
            #expect(try await direct.send(command) == tree.expected)
            // Pipelined behind a PING so replies arrive mid-buffer too.
            let replies = try await dribbled.pipeline([RedisCommand("PING"), command, RedisCommand("PING")])
            #expect(replies == [.status("PONG"), tree.expected, .status("PONG")])
        }
        await direct.close()
        await dribbled.close()
        await proxy.close()
        server.stop()
    }
}
