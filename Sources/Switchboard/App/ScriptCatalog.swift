import Crypto
import Foundation
import RedisClient

/// The `lua/` scripts, read once with their SHA1 computed here, so a node can start while Redis is still down:
/// the client loads a script on first use if Redis does not have it (NOSCRIPT), and `preload` loads them all up front.
enum ScriptCatalog {
    static func read(directory: String) throws -> RedisScriptSet {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".lua") }
        } catch {
            throw SwitchboardError.config("cannot read Lua scripts from \(directory) (paths.lua)")
        }
        var scripts: [String: RedisScript] = [:]
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            guard let source = try? String(contentsOfFile: path, encoding: .utf8) else { throw SwitchboardError.config("cannot read \(path)") }
            let sha = Insecure.SHA1.hash(data: Data(source.utf8)).map { String(format: "%02x", $0) }.joined()
            scripts[String(file.dropLast(4))] = RedisScript(name: String(file.dropLast(4)), source: source, sha: sha)
        }
        return RedisScriptSet(scripts: scripts)
    }

    /// SCRIPT LOAD of every script; a mismatching SHA means the catalog and Redis disagree on the source bytes.
    static func preload(_ set: RedisScriptSet, into redis: RedisClient) async throws {
        for script in set.scripts.values {
            let loaded = try await redis.load(name: script.name, source: script.source)
            guard loaded.sha == script.sha else { throw SwitchboardError.internal("SHA of \(script.name) differs from Redis'") }
        }
    }
}
