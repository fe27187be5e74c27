@testable import RedisClient
import Testing

@Suite("Redis Cluster routing: slots, keys of commands, redirects, slot maps")
struct RedisClusterTests {
    @Test("slots follow the cluster spec: CRC16 of the key or of its first non-empty {tag}, mod 16384")
    func slots() {
        // Values from the Redis Cluster specification and redis-py's key_slot.
        #expect(RedisClusterSlot.slot(of: "foo") == 12182)
        #expect(RedisClusterSlot.slot(of: "123456789") == 0x31C3 % 16384)
        #expect(RedisClusterSlot.slot(of: "{user1000}.following") == 3443)
        #expect(RedisClusterSlot.slot(of: "{user1000}.followers") == 3443)
        #expect(RedisClusterSlot.slot(of: "foo{}{bar}") == 8363)  // an empty first tag: the whole key
        #expect(RedisClusterSlot.slot(of: "foo{{bar}}zap") == 4015)  // the tag is "{bar"
        #expect(RedisClusterSlot.slot(of: "foo{bar}{zap}") == 5061)  // the first tag only
        #expect(RedisClusterSlot.slot(of: "sb:{rt}:conn:x") == RedisClusterSlot.slot(of: "rt"))
    }

    @Test("each command is routed by the key Redis routes it by")
    func commandKeys() {
        #expect(RedisCommand("GET", "foo").slot == 12182)
        #expect(RedisCommand("EVALSHA", "abc", "2", "foo", "bar", "x").slot == 12182)
        #expect(RedisCommand("EVALSHA", "abc", "0", "x").slot == nil)
        #expect(RedisCommand("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "BLOCK", "5", "STREAMS", "foo", ">").slot == 12182)
        #expect(RedisCommand("XINFO", "CONSUMERS", "foo", "g").slot == 12182)
        #expect(RedisCommand("XGROUP", "CREATE", "foo", "g", "0").slot == 12182)
        for keyless in [RedisCommand("PING"), RedisCommand("SCRIPT", "LOAD", "return 1"), RedisCommand("PUBLISH", "foo", "x"),
                        RedisCommand("MULTI"), RedisCommand("EXEC"), RedisCommand("INFO", "replication")] {
            #expect(keyless.slot == nil, "\(keyless.name)")
        }
    }

    @Test("a pipeline splits into units: MULTI … EXEC stays whole, keyless commands go with their neighbours")
    func units() {
        let commands = [RedisCommand("PING"), RedisCommand("SET", "foo", "1"), RedisCommand("MULTI"), RedisCommand("SET", "{user1000}.a", "1"),
                        RedisCommand("SET", "{user1000}.b", "1"), RedisCommand("EXEC"), RedisCommand("GET", "sb:events")]
        let units = RedisClusterRouter.units(commands)
        #expect(units.map(\.indices) == [[0], [1], [2, 3, 4, 5], [6]])
        #expect(units.map(\.slot) == [12182, 12182, 3443, 3532])
    }

    @Test("MOVED and ASK replies are read; anything else is not a redirect")
    func redirects() {
        #expect(RedisRedirect("MOVED 3999 127.0.0.1:6381") == RedisRedirect("MOVED 3999 127.0.0.1:6381"))
        #expect(RedisRedirect("MOVED 3999 127.0.0.1:6381")?.moved == true)
        #expect(RedisRedirect("ASK 3999 10.0.0.2:7000")?.address == "10.0.0.2:7000")
        #expect(RedisRedirect("ASK 3999 10.0.0.2:7000")?.moved == false)
        for other in ["NOSCRIPT No matching script", "MOVED 99999 h:1", "MOVED x h:1", "MOVED 1", "ERR MOVED 1 h:1"] {
            #expect(RedisRedirect(other) == nil, "\(other)")
        }
    }

    @Test("CLUSTER SLOTS becomes a slot map with masters first, then replicas")
    func topology() throws {
        func node(_ host: String, _ port: Int64) -> RedisReply { .array([.bulk(Array(host.utf8)), .integer(port), .bulk(Array("id".utf8))]) }
        let reply = RedisReply.array([
            .array([.integer(0), .integer(5460), node("127.0.0.1", 7000), node("127.0.0.1", 7003)]),
            .array([.integer(5461), .integer(10922), node("127.0.0.1", 7001)]),
            .array([.integer(10923), .integer(16383), node("::1", 7002), node("127.0.0.1", 7005)]),
        ])
        let map = try RedisClusterTopology(slots: reply)
        #expect(map.masters == ["127.0.0.1:7000", "127.0.0.1:7001", "[::1]:7002"])
        #expect(map.nodes == ["127.0.0.1:7000", "127.0.0.1:7001", "[::1]:7002", "127.0.0.1:7003", "127.0.0.1:7005"])
        #expect(map.master(of: 0) == "127.0.0.1:7000" && map.master(of: 5461) == "127.0.0.1:7001" && map.master(of: 16383) == "[::1]:7002")
        #expect(RedisConfiguration().node("[::1]:7002").host == "::1" && RedisConfiguration().node("[::1]:7002").port == 7002)
        #expect(throws: RedisError.self) { try RedisClusterTopology(slots: .array([])) }
        #expect(throws: RedisError.self) { try RedisClusterTopology(slots: .array([.array([.integer(0), .integer(20000), node("h", 1)])])) }
    }

    @Test("every slot has a tag of its own: a name with {tag} is in that slot (sharded node channels)")
    func slotTags() {
        #expect(RedisClusterSlot.tags.count == RedisClusterSlot.count)
        for (slot, tag) in RedisClusterSlot.tags.enumerated() {
            #expect(RedisClusterSlot.slot(of: "sb:{\(tag)}:node:n1") == UInt16(slot), "slot \(slot)")
        }
        #expect(RedisClusterSlot.tags.allSatisfy { $0.utf8.count <= 4 })
    }
}
