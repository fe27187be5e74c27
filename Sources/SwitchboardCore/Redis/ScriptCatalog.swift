import ConnectWire
import Crypto
import Foundation
import RedisClient

/// The `lua/` scripts, read once with their SHA1 computed here, so a node can start while Redis is still down:
/// the client loads a script on first use if Redis does not have it (NOSCRIPT), and `preload` loads them all up front.
public enum ScriptCatalog {
    /// Reads every `*.lua` of `directory`, includes expanded, with its SHA1. Throws, naming them, when a script of
    /// ``LuaScript`` or an included file is missing: a node without its scripts cannot work, and should say so at once.
    public static func read(directory: String) throws -> RedisScriptSet {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".lua") }
        } catch {
            throw SwitchboardError.config("cannot read Lua scripts from \(directory) (paths.lua)")
        }
        var scripts: [String: RedisScript] = [:]
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            let source = try expandIncludes(path: path, directory: directory)
            let sha = ByteEncoding.hex(Insecure.SHA1.hash(data: Data(source.utf8)))
            scripts[String(file.dropLast(4))] = RedisScript(name: String(file.dropLast(4)), source: source, sha: sha)
        }
        let missing = LuaScript.allCases.map(\.rawValue).filter { scripts[$0] == nil }
        guard missing.isEmpty else {
            throw SwitchboardError.config("Lua scripts missing from \(directory) (paths.lua): \(missing.map { $0 + ".lua" }.joined(separator: ", "))")
        }
        return RedisScriptSet(scripts: scripts)
    }

    /// A script's source with each line `--#include <file>` replaced by that file (relative to the scripts folder):
    /// scripts called by SHA cannot import each other, so shared Lua is spliced in here instead of copied by hand.
    package static func expandIncludes(path: String, directory: String) throws -> String {
        guard let source = try? String(contentsOfFile: path, encoding: .utf8) else { throw SwitchboardError.config("cannot read \(path)") }
        let lines = try source.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("--#include ") else { return String(line) }
            let included = (directory as NSString).appendingPathComponent(line.dropFirst("--#include ".count).trimmingCharacters(in: .whitespaces))
            guard let text = try? String(contentsOfFile: included, encoding: .utf8) else {
                throw SwitchboardError.config("\(path) includes \(included), which cannot be read")
            }
            return text
        }
        return lines.joined(separator: "\n")
    }

    /// SCRIPT LOAD of every script; a mismatching SHA means the catalog and Redis disagree on the source bytes.
    public static func preload(_ set: RedisScriptSet, into redis: RedisClient) async throws {
        for script in set.scripts.values {
            let loaded = try await redis.load(name: script.name, source: script.source)
            guard loaded.sha == script.sha else { throw SwitchboardError.internal("SHA of \(script.name) differs from Redis'") }
        }
    }
}
