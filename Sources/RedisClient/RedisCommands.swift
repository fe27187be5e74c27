import NIOCore

/// Anything that sends one command and returns its reply: the pooled client or a dedicated connection.
public protocol RedisCommands: Sendable {
    /// Sends one command; an error reply is thrown as a `.server` ``RedisError``.
    func send(_ command: RedisCommand) async throws -> RedisReply
}

extension RedisClient: RedisCommands {}

extension RedisConnection: RedisCommands {
    /// Sends one command with the configured command timeout.
    public func send(_ command: RedisCommand) async throws -> RedisReply {
        try await send(command, timeout: nil)
    }
}

/// One entry of a Redis stream.
public struct RedisStreamEntry: Sendable, Hashable {
    /// The entry id, `<ms>-<seq>`.
    public var id: String
    /// The entry's fields.
    public var fields: [String: String]

    /// Makes an entry.
    public init(id: String, fields: [String: String]) {
        self.id = id
        self.fields = fields
    }
}

/// One pending entry of a consumer group, as XPENDING's extended form reports it.
public struct RedisPendingEntry: Sendable, Hashable {
    /// The entry id.
    public var id: String
    /// The consumer that holds it.
    public var consumer: String
    /// Milliseconds since it was last delivered.
    public var idleMilliseconds: Int
    /// How many times it has been delivered.
    public var deliveries: Int
}

// Typed helpers for the commands the product uses, and no others.
extension RedisCommands {
    /// PING; returns the reply text.
    public func ping() async throws -> String {
        try await send(RedisCommand("PING")).string ?? ""
    }

    /// GET as text; `nil` when the key does not exist.
    public func get(_ key: String) async throws -> String? {
        try await send(RedisCommand("GET", key)).string
    }

    /// GET as bytes; `nil` when the key does not exist.
    public func getBytes(_ key: String) async throws -> [UInt8]? {
        try await send(RedisCommand("GET", key)).bytes
    }

    /// SET with optional expiry and NX; returns whether the value was set.
    @discardableResult
    public func set(_ key: String, _ value: RedisArgument, expireMilliseconds: Int? = nil, onlyIfAbsent: Bool = false) async throws -> Bool {
        var arguments: [RedisArgument] = ["SET", .string(key), value]
        if let expireMilliseconds { arguments += ["PX", .int(expireMilliseconds)] }
        if onlyIfAbsent { arguments.append("NX") }
        return try await !send(RedisCommand(arguments)).isNull
    }

    /// DEL; returns how many keys were removed.
    @discardableResult
    public func del(_ keys: [String]) async throws -> Int {
        try await send(RedisCommand((["DEL"] + keys).map { .string($0) })).int ?? 0
    }

    /// EXISTS for one key.
    public func exists(_ key: String) async throws -> Bool {
        try await send(RedisCommand("EXISTS", key)).int == 1
    }

    /// PEXPIRE; returns whether the key exists.
    @discardableResult
    public func pexpire(_ key: String, milliseconds: Int) async throws -> Bool {
        try await send(RedisCommand("PEXPIRE", key, String(milliseconds))).int == 1
    }

    /// PTTL in milliseconds; -2 when the key is missing, -1 when it has no expiry.
    public func pttl(_ key: String) async throws -> Int {
        try await send(RedisCommand("PTTL", key)).int ?? -2
    }

    /// INCRBY; returns the new value.
    @discardableResult
    public func incr(_ key: String, by amount: Int = 1) async throws -> Int {
        try await send(RedisCommand("INCRBY", key, String(amount))).int ?? 0
    }

    /// HSET of several fields; returns how many were new.
    @discardableResult
    public func hset(_ key: String, _ fields: [(String, String)]) async throws -> Int {
        var arguments: [RedisArgument] = ["HSET", .string(key)]
        for (field, value) in fields { arguments += [.string(field), .string(value)] }
        return try await send(RedisCommand(arguments)).int ?? 0
    }

    /// HGET; `nil` when the key or field is missing.
    public func hget(_ key: String, _ field: String) async throws -> String? {
        try await send(RedisCommand("HGET", key, field)).string
    }

    /// HGETALL as a dictionary; empty when the key is missing.
    public func hgetall(_ key: String) async throws -> [String: String] {
        try await send(RedisCommand("HGETALL", key)).stringMap
    }

    /// HDEL; returns how many fields were removed.
    @discardableResult
    public func hdel(_ key: String, _ fields: [String]) async throws -> Int {
        try await send(RedisCommand((["HDEL", key] + fields).map { .string($0) })).int ?? 0
    }

    /// SADD; returns how many members were new.
    @discardableResult
    public func sadd(_ key: String, _ members: [String]) async throws -> Int {
        try await send(RedisCommand((["SADD", key] + members).map { .string($0) })).int ?? 0
    }

    /// SREM; returns how many members were removed.
    @discardableResult
    public func srem(_ key: String, _ members: [String]) async throws -> Int {
        try await send(RedisCommand((["SREM", key] + members).map { .string($0) })).int ?? 0
    }

    /// SMEMBERS.
    public func smembers(_ key: String) async throws -> [String] {
        try await send(RedisCommand("SMEMBERS", key)).strings
    }

    /// ZADD of one member.
    @discardableResult
    public func zadd(_ key: String, score: Double, member: String) async throws -> Int {
        try await send(RedisCommand("ZADD", key, String(score), member)).int ?? 0
    }

    /// ZREM; returns how many members were removed.
    @discardableResult
    public func zrem(_ key: String, _ members: [String]) async throws -> Int {
        try await send(RedisCommand((["ZREM", key] + members).map { .string($0) })).int ?? 0
    }

    /// ZRANGEBYSCORE with an optional LIMIT.
    public func zrangeByScore(_ key: String, min: String, max: String, limit: Int? = nil) async throws -> [String] {
        var arguments: [RedisArgument] = ["ZRANGEBYSCORE", .string(key), .string(min), .string(max)]
        if let limit { arguments += ["LIMIT", "0", .int(limit)] }
        return try await send(RedisCommand(arguments)).strings
    }

    /// PUBLISH; returns how many subscribers received it.
    @discardableResult
    public func publish(_ channel: String, _ message: RedisArgument) async throws -> Int {
        try await send(RedisCommand(["PUBLISH", .string(channel), message])).int ?? 0
    }

    /// XADD with an automatic id, trimmed approximately to `maxLength` when given; returns the new id.
    @discardableResult
    public func xadd(_ stream: String, fields: [(String, String)], maxLength: Int? = nil) async throws -> String {
        var arguments: [RedisArgument] = ["XADD", .string(stream)]
        if let maxLength { arguments += ["MAXLEN", "~", .int(maxLength)] }
        arguments.append("*")
        for (field, value) in fields { arguments += [.string(field), .string(value)] }
        guard let id = try await send(RedisCommand(arguments)).string else {
            throw RedisError(.unexpectedReply, "XADD returned no id")
        }
        return id
    }

    /// XGROUP CREATE ... MKSTREAM; an existing group is not an error. Returns whether the group was created.
    @discardableResult
    public func xgroupCreate(_ stream: String, group: String, startId: String = "0") async throws -> Bool {
        do {
            _ = try await send(RedisCommand("XGROUP", "CREATE", stream, group, startId, "MKSTREAM"))
            return true
        } catch let error as RedisError where error.serverErrorPrefix == "BUSYGROUP" {
            return false
        }
    }

    /// XREADGROUP for one stream. Pass `blockMilliseconds` only on a dedicated connection.
    public func xreadgroup(group: String, consumer: String, stream: String, id: String = ">", count: Int,
                           blockMilliseconds: Int? = nil) async throws -> [RedisStreamEntry] {
        var arguments: [RedisArgument] = ["XREADGROUP", "GROUP", .string(group), .string(consumer), "COUNT", .int(count)]
        if let blockMilliseconds { arguments += ["BLOCK", .int(blockMilliseconds)] }
        arguments += ["STREAMS", .string(stream), .string(id)]
        let reply = try await send(RedisCommand(arguments))
        // [[stream, [[id, [f, v, ...]], ...]]] or null on timeout.
        guard let streams = reply.array, let first = streams.first?.array, first.count == 2 else { return [] }
        return Self.entries(first[1])
    }

    /// XACK; returns how many entries were acknowledged.
    @discardableResult
    public func xack(_ stream: String, group: String, ids: [String]) async throws -> Int {
        try await send(RedisCommand((["XACK", stream, group] + ids).map { .string($0) })).int ?? 0
    }

    /// XAUTOCLAIM: claims entries idle for at least `minIdleMilliseconds`. Returns the cursor for the next call,
    /// the claimed entries, and the ids of pending entries that no longer exist in the stream (trimmed).
    public func xautoclaim(_ stream: String, group: String, consumer: String, minIdleMilliseconds: Int, start: String = "0-0",
                           count: Int) async throws -> (next: String, entries: [RedisStreamEntry], deleted: [String]) {
        let reply = try await send(RedisCommand("XAUTOCLAIM", stream, group, consumer, String(minIdleMilliseconds), start,
                                                "COUNT", String(count)))
        guard let parts = reply.array, parts.count >= 2, let next = parts[0].string else {
            throw RedisError(.unexpectedReply, "XAUTOCLAIM reply has an unexpected shape")
        }
        return (next, Self.entries(parts[1]), parts.count > 2 ? parts[2].strings : [])
    }

    /// XPENDING's extended form over an id range.
    public func xpending(_ stream: String, group: String, start: String = "-", end: String = "+", count: Int,
                         consumer: String? = nil) async throws -> [RedisPendingEntry] {
        var arguments: [RedisArgument] = ["XPENDING", .string(stream), .string(group), .string(start), .string(end), .int(count)]
        if let consumer { arguments.append(.string(consumer)) }
        return try await send(RedisCommand(arguments)).array?.compactMap { item in
            guard let f = item.array, f.count == 4, let id = f[0].string, let consumer = f[1].string,
                  let idle = f[2].int, let deliveries = f[3].int else { return nil }
            return RedisPendingEntry(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: deliveries)
        } ?? []
    }

    /// XLEN.
    public func xlen(_ stream: String) async throws -> Int {
        try await send(RedisCommand("XLEN", stream)).int ?? 0
    }

    /// XRANGE over an id range.
    public func xrange(_ stream: String, start: String = "-", end: String = "+", count: Int? = nil) async throws -> [RedisStreamEntry] {
        var arguments: [RedisArgument] = ["XRANGE", .string(stream), .string(start), .string(end)]
        if let count { arguments += ["COUNT", .int(count)] }
        return Self.entries(try await send(RedisCommand(arguments)))
    }

    static func entries(_ reply: RedisReply) -> [RedisStreamEntry] {
        reply.array?.compactMap { item in
            // A pending entry whose message was trimmed comes back as [id, nil].
            guard let pair = item.array, pair.count == 2, let id = pair[0].string else { return nil }
            return RedisStreamEntry(id: id, fields: pair[1].stringMap)
        } ?? []
    }
}
