/// A Lua script known to the client by name, called by SHA.
public struct RedisScript: Sendable {
    /// The file name without `.lua`, e.g. `routing_enqueue`.
    public let name: String
    /// The Lua source, kept so the script can be loaded again after Redis forgets it.
    public let source: String
    /// The SHA1 of the source, as SCRIPT LOAD returns it.
    public let sha: String

    /// A script whose SHA1 the caller computed; it is loaded on first use if Redis does not have it.
    public init(name: String, source: String, sha: String) {
        self.name = name
        self.source = source
        self.sha = sha
    }
}

/// Every script of a folder, loaded into Redis at start-up.
public struct RedisScriptSet: Sendable {
    /// The scripts by name.
    public let scripts: [String: RedisScript]

    /// A set of scripts.
    public init(scripts: [String: RedisScript]) { self.scripts = scripts }

    /// The script called `name`; a missing script is a programming error caught at start-up tests.
    public subscript(name: String) -> RedisScript {
        guard let script = scripts[name] else { preconditionFailure("no Lua script named \(name) was loaded") }
        return script
    }
}

extension RedisClient {
    /// Loads one script from source.
    public func load(name: String, source: String) async throws -> RedisScript {
        guard let sha = try await send(["SCRIPT", "LOAD", .string(source)]).string else {
            throw RedisError(.unexpectedReply, "SCRIPT LOAD of \(name) returned no SHA")
        }
        return RedisScript(name: name, source: source, sha: sha)
    }

    /// Calls a script by SHA; if Redis no longer has it (restarted, SCRIPT FLUSH) it is loaded again and called once more.
    @discardableResult
    public func evalScript(_ script: RedisScript, keys: [String], args: [RedisArgument]) async throws -> RedisReply {
        try await evalScript(script, calls: [(keys, args)])[0]
    }

    /// Calls a script once per `(keys, args)` in one pipelined round trip; replies in order, a script error as an
    /// `.error` reply in its place. If Redis no longer has the script, it is loaded again and the calls that met
    /// NOSCRIPT are made once more.
    public func evalScript(_ script: RedisScript, calls: [(keys: [String], args: [RedisArgument])]) async throws -> [RedisReply] {
        let commands = calls.map { call in
            RedisCommand(["EVALSHA", .string(script.sha), .string(String(call.keys.count))] + call.keys.map { .string($0) } + call.args)
        }
        var replies = try await pipeline(commands)
        let lost = replies.indices.filter { if case .error(let message) = replies[$0] { message.hasPrefix("NOSCRIPT") } else { false } }
        if !lost.isEmpty {
            // Scripts are loaded on first use (on a cluster, each master needs them), so this is also a fresh Redis's first call.
            logger.notice("loading a Lua script Redis does not have (its first use there, or Redis restarted)",
                          metadata: ["script": "\(script.name)"])
            _ = try await send(["SCRIPT", "LOAD", .string(script.source)])
            for (index, reply) in zip(lost, try await pipeline(lost.map { commands[$0] })) { replies[index] = reply }
        }
        if calls.count == 1, case .error(let message) = replies[0] { throw RedisError(.server, message) }
        return replies
    }
}
