import Foundation
import NIOCore
import NIOPosix
import RedisClient
import Synchronization
import Testing
import TestSupport

@Suite("Redis client against a real redis-server", .timeLimit(.minutes(2)))
struct RedisClientTests {
    @Test("values holding NUL and CRLF round-trip byte for byte")
    func binarySafeRoundTrip() async throws {
        let client = try await TestRedis.client()
        let key = TestRedis.uniquePrefix("binary")
        let value: [UInt8] = [0x00, 0x0D, 0x0A, 0x24, 0x2A, 0xFF, 0x00, 0x0D, 0x0A] + Array("tail\r\n$3\r\n".utf8)
        try await client.set(key, .bytes(value))
        #expect(try await client.getBytes(key) == value)
        // Binary keys too, and an empty value.
        let binaryKey: [UInt8] = Array(key.utf8) + [0, 13, 10]
        try await client.send(["SET", .bytes(binaryKey), .bytes([])])
        #expect(try await client.send(["GET", .bytes(binaryKey)]) == .bulk([]))
        #expect(try await client.send(["STRLEN", .string(key)]).int == value.count)
    }

    @Test("10,000 pipelined commands come back in order")
    func pipelineOrder() async throws {
        let client = try await TestRedis.client(poolSize: 1)
        let key = TestRedis.uniquePrefix("pipe")
        let commands = (0..<10_000).map { i in RedisCommand(["RPUSH", .string(key), .string("v\(i)")]) }
        let replies = try await client.pipeline(commands)
        #expect(replies.count == 10_000)
        #expect(replies.map(\.int) == (1...10_000).map { Optional($0) })
        let echoes = try await client.pipeline((0..<10_000).map { RedisCommand("ECHO", "e\($0)") })
        #expect(echoes.map(\.string) == (0..<10_000).map { Optional("e\($0)") })
        #expect(try await client.send("LINDEX", key, "9999").string == "v9999")
    }

    @Test("concurrent commands multiplexed on one connection each get their own reply")
    func multiplexedReplies() async throws {
        let client = try await TestRedis.client(poolSize: 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<2_000 {
                group.addTask {
                    let reply = try await client.send("ECHO", "m\(i)")
                    #expect(reply.string == "m\(i)")
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("nested replies: XREADGROUP, XPENDING and XAUTOCLAIM")
    func nestedStreamReplies() async throws {
        let client = try await TestRedis.client()
        let stream = TestRedis.uniquePrefix("stream")
        #expect(try await client.xgroupCreate(stream, group: "g"))
        #expect(try await client.xgroupCreate(stream, group: "g") == false)
        let id1 = try await client.xadd(stream, fields: [("event", "one"), ("bin", "a\r\nb")])
        let id2 = try await client.xadd(stream, fields: [("event", "two")])
        let read = try await client.xreadgroup(group: "g", consumer: "c1", stream: stream, count: 10)
        #expect(read == [RedisStreamEntry(id: id1, fields: ["event": "one", "bin": "a\r\nb"]),
                         RedisStreamEntry(id: id2, fields: ["event": "two"])])
        let pending = try await client.xpending(stream, group: "g", count: 10)
        #expect(pending.map(\.id) == [id1, id2])
        #expect(pending.allSatisfy { $0.consumer == "c1" && $0.deliveries == 1 })
        try await Task.sleep(for: .milliseconds(20))
        let claimed = try await client.xautoclaim(stream, group: "g", consumer: "c2", minIdleMilliseconds: 10, count: 10)
        #expect(claimed.entries.map(\.id) == [id1, id2])
        #expect(claimed.entries[0].fields["bin"] == "a\r\nb")
        #expect(claimed.next == "0-0")
        #expect(try await client.xpending(stream, group: "g", count: 10).allSatisfy { $0.consumer == "c2" && $0.deliveries == 2 })
        #expect(try await client.xack(stream, group: "g", ids: [id1, id2]) == 2)
        #expect(try await client.xpending(stream, group: "g", count: 10).isEmpty)
    }

    @Test("an error reply becomes a Swift error and the connection stays usable")
    func errorReply() async throws {
        let client = try await TestRedis.client(poolSize: 1)
        let key = TestRedis.uniquePrefix("err")
        try await client.set(key, "text")
        let error = await #expect(throws: RedisError.self) { try await client.send("INCR", key) }
        #expect(error?.code == .server)
        #expect(error?.message.hasPrefix("ERR") == true)
        await #expect(throws: RedisError.self) { try await client.send("NOSUCHCOMMAND") }
        #expect(try await client.ping() == "PONG")
        // Inside a pipeline an error stays in place and the others succeed.
        let replies = try await client.pipeline([RedisCommand("INCR", key), RedisCommand("ECHO", "after")])
        guard case .error = replies[0] else { Issue.record("expected an error reply, got \(replies[0])"); return }
        #expect(replies[1].string == "after")
    }

    @Test("a reply split across many TCP reads is parsed whole")
    func replySplitAcrossReads() async throws {
        let server = try await RedisServer()
        let proxy = try await DribblingProxy(targetSocket: server.socketPath, chunkSize: 2)
        let client = RedisClient(configuration: RedisConfiguration(port: proxy.port, poolSize: 1, commandTimeout: .seconds(20)))
        let value = String(repeating: "x\r\n", count: 100)
        try await client.set("big", .string(value))
        #expect(try await client.get("big") == value)
        let stream = "s"
        try await client.xgroupCreate(stream, group: "g")
        for i in 0..<5 { try await client.xadd(stream, fields: [("n", String(i)), ("payload", "p\r\n\(i)")]) }
        let entries = try await client.xreadgroup(group: "g", consumer: "c", stream: stream, count: 10)
        #expect(entries.map { $0.fields["payload"] } == (0..<5).map { Optional("p\r\n\($0)") })
        await client.close()
        await proxy.close()
    }

    @Test("a command timeout fires, the connection is replaced and later commands work")
    func commandTimeout() async throws {
        let url = try await TestRedis.url()
        // Long enough that the PING after it cannot time out on a loaded machine too (it did at 200 ms).
        let client = RedisClient(configuration: try RedisConfiguration(url: url, base: RedisConfiguration(poolSize: 1, commandTimeout: .seconds(2))))
        let key = TestRedis.uniquePrefix("timeout")
        // BLPOP with timeout 0 blocks forever, so only the client's own command timeout can end the call: no wall-clock
        // bound is needed (one failed under load).
        let error = await #expect(throws: RedisError.self) { try await client.send("BLPOP", key, "0") }
        #expect(error?.code == .timeout)
        #expect(try await client.ping() == "PONG")
        await client.close()
    }

    @Test("200 concurrent tasks share the pool")
    func concurrentPool() async throws {
        let client = try await TestRedis.client(poolSize: 4)
        let prefix = TestRedis.uniquePrefix("pool")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<200 {
                group.addTask {
                    for i in 0..<25 {
                        try await client.set("\(prefix):\(task):\(i)", .string("\(task)-\(i)"))
                        #expect(try await client.get("\(prefix):\(task):\(i)") == "\(task)-\(i)")
                    }
                    try await client.incr("\(prefix):count")
                }
            }
            try await group.waitForAll()
        }
        #expect(try await client.get("\(prefix):count") == "200")
        #expect(client.connectedCount == 4)
    }

    @Test("SCRIPT FLUSH: a scripted call reloads the script and still works")
    func scriptReload() async throws {
        let server = try await RedisServer()
        let client = RedisClient(configuration: server.configuration(RedisConfiguration(poolSize: 2)))
        let script = try await client.load(name: "incr_by", source: "-- KEYS[1]: counter; ARGV[1]: amount\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])")
        #expect(try await client.evalScript(script, keys: ["k"], args: ["5"]) == .integer(5))
        try await client.send("SCRIPT", "FLUSH")
        #expect(try await client.evalScript(script, keys: ["k"], args: ["2"]) == .integer(7))
        await client.close()
    }

    @Test("Redis restarted: in-flight commands fail clearly, the client recovers, the subscription delivers again")
    func redisRestart() async throws {
        let server = try await RedisServer()
        let configuration = server.configuration(RedisConfiguration(poolSize: 2, reconnectBackoffMin: .milliseconds(20),
                                                                    reconnectBackoffMax: .milliseconds(200)))
        let client = RedisClient(configuration: configuration)
        let publisher = RedisClient(configuration: configuration)
        try await client.set("before", "1")
        try await client.subscribe(channels: ["news"]) { messages in
            var iterator = messages.makeAsyncIterator()
            #expect(try await Self.publishUntilReceived(publisher, "first", &iterator))

            // A blocked command in flight when Redis goes away must fail, not hang.
            let blocked = Task { try await client.withDedicatedConnection { try await $0.send(RedisCommand("BLPOP", "nothing", "0")) } }
            try await Task.sleep(for: .milliseconds(100))
            server.stop()
            await #expect(throws: RedisError.self) { _ = try await blocked.value }
            await #expect(throws: RedisError.self) { try await client.ping() }

            try await server.start()
            var recovered = false
            for _ in 0..<100 where !recovered {
                recovered = (try? await client.ping()) == "PONG"
                if !recovered { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(recovered)
            #expect(try await Self.publishUntilReceived(publisher, "second", &iterator))
        }
        await client.close()
        await publisher.close()
    }

    @Test("a subscription whose Redis stops answering notices by PING, reports it, and resubscribes once Redis is back")
    func subscriptionKeepalive() async throws {
        let server = try await RedisServer()
        var configuration = server.configuration(RedisConfiguration(poolSize: 1, commandTimeout: .milliseconds(300)))
        configuration.subscriptionPingInterval = .milliseconds(200)
        let client = RedisClient(configuration: configuration)
        let publisher = RedisClient(configuration: server.configuration())
        let events = EventLog()
        try await client.subscribe(channels: ["news"], onSubscribed: { events.add("subscribed") }, onDisconnected: { events.add("lost") }) { messages in
            var iterator = messages.makeAsyncIterator()
            #expect(try await Self.publishUntilReceived(publisher, "before", &iterator))
            server.pause()
            try await events.wait("the loss reported", within: .seconds(5)) { $0.dropFirst().contains("lost") }
            server.resume()
            // While Redis was frozen, reconnects may have been tried and lost again; once it answers, one subscription.
            try await events.wait("subscribed again", within: .seconds(10)) { $0.last == "subscribed" && $0.count >= 3 }
            #expect(try await Self.publishUntilReceived(publisher, "after", &iterator))
        }
        await client.close()
        await publisher.close()
        server.stop()
    }

    /// What callbacks reported, in order.
    final class EventLog: Sendable {
        private let events = Mutex<[String]>([])
        func add(_ event: String) { events.withLock { $0.append(event) } }
        func wait(_ what: String, within limit: Duration, until condition: ([String]) -> Bool) async throws {
            let deadline = ContinuousClock.now + limit
            while !condition(events.withLock({ $0 })) {
                guard ContinuousClock.now < deadline else { throw RedisError(.timeout, "not \(what): events \(events.withLock { $0 })") }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Publishes until the subscriber gets the message: a resubscription after reconnect takes a moment.
    private static func publishUntilReceived(_ publisher: RedisClient, _ text: String,
                                             _ iterator: inout AsyncStream<RedisMessage>.Iterator) async throws -> Bool {
        for _ in 0..<100 {
            if (try? await publisher.publish("news", .string(text))) ?? 0 > 0 {
                while let message = await iterator.next() {
                    if message.text == text { return true }
                }
                return false
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("after Redis returns, commands go to a connection that is back rather than to one still backing off")
    func backingOffConnectionsAreSkipped() async throws {
        let server = try await RedisServer()
        let client = RedisClient(configuration: server.configuration(RedisConfiguration(poolSize: 4, reconnectBackoffMax: .seconds(2))))
        #expect(try await client.send("PING") == .status("PONG"))
        server.stop()
        // Every connection fails while Redis is down, and backs off longer each time.
        let down = ContinuousClock.now
        while ContinuousClock.now - down < .seconds(2) {
            _ = try? await client.send("PING")
            try await Task.sleep(for: .milliseconds(20))
        }
        try await server.start()
        var firstSuccess: ContinuousClock.Instant?
        while firstSuccess == nil {
            if (try? await client.send("PING")) == .status("PONG") { firstSuccess = .now }
            try await Task.sleep(for: .milliseconds(5))
        }
        // One connection is back; the others may still wait out their backoff. Nothing may fail meanwhile.
        var failures = 0
        for _ in 0..<40 where (try? await client.send("PING")) != .status("PONG") { failures += 1 }
        #expect(failures == 0)
        await client.close()
        server.stop()
    }

    @Test("redis:// and unix:// URLs parse into address and database, and bad ones are refused")
    func urlParsing() throws {
        let c = try RedisConfiguration(url: "redis://10.1.2.3:6390/4")
        #expect(c.host == "10.1.2.3" && c.port == 6390 && c.database == 4)
        let d = try RedisConfiguration(url: "redis://localhost")
        #expect(d.host == "localhost" && d.port == 6379 && d.database == 0)
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "http://x:1") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://x:99999") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://x:1/abc") }
        let u = try RedisConfiguration(url: "unix:///run/redis/redis.sock?db=2")
        #expect(u.unixSocketPath == "/run/redis/redis.sock" && u.database == 2 && u.address == "/run/redis/redis.sock")
        #expect(try RedisConfiguration(url: "unix:///tmp/r.sock").database == 0)
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "unix://relative.sock") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "unix:///tmp/r.sock?password=x") }
    }

    @Test("SELECT is applied from the URL's database")
    func selectsDatabase() async throws {
        let server = try await RedisServer()
        let client = RedisClient(configuration: try RedisConfiguration(url: "unix://\(server.socketPath)?db=3"))
        try await client.set("in-db-3", "yes")
        let other = RedisClient(configuration: server.configuration())
        #expect(try await other.get("in-db-3") == nil)
        #expect(try await other.send("SELECT", "3").string == "OK")
        await client.close()
        await other.close()
    }
}
