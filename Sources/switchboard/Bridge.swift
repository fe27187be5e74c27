import SwitchboardCore
import ContactEngine
import ArgumentParser
import Foundation
import RedisClient
import Switchboard

/// `switchboard bridge`: feeds Amazon Connect contact events (NDJSON) into the event stream with the HTTP ingest's validation.
struct Bridge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Append Amazon Connect contact events (one JSON object per line) to the event stream.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "NDJSON file; standard input when absent.") var file: String?

    func run() async throws {
        let config = try options.loadOrExit()
        let text: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        let redis = RedisClient(configuration: try config.redis.clientConfiguration())
        let log = EventLog(redis: redis, config: config.events, scripts: try ScriptCatalog.read(directory: config.paths.lua))
        var accepted: [String] = []
        var rejected = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do {
                _ = try ContactEvent.parse(trimmed)
                accepted.append(trimmed)
            } catch {
                rejected += 1
                print("line \(index + 1): rejected: \(error.message)")
            }
        }
        for start in stride(from: 0, to: accepted.count, by: 100) {
            try await log.append(Array(accepted[start..<min(start + 100, accepted.count)]))
        }
        await redis.close()
        print("accepted \(accepted.count), rejected \(rejected)")
    }
}
