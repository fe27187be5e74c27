import SwitchboardCore
import ContactEngine
import ArgumentParser
import Foundation
import RedisClient
import Switchboard

/// `switchboard inspect`: what Redis holds, for people.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what Redis holds about a user, contact, agent, or the event streams.")

    @OptionGroup var options: ConfigOptions
    @Argument(help: "user | contact | agent | streams") var kind: String
    @Argument(help: "USERID, CONTACTID or AGENTID") var id: String?

    func run() async throws {
        let config = try options.loadOrExit()
        let redis = RedisClient(configuration: try config.redis.clientConfiguration())
        let keys = RedisKeys(prefix: config.redis.keyPrefix)
        defer { Task { await redis.close() } }
        switch (kind, id) {
        case ("user", let id?):
            let sockets = try await redis.send("ZRANGE", keys.userConnections(id), "0", "-1", "WITHSCORES").strings
            print("user \(id): \(sockets.count / 2) connection(s)")
            let now = Int(Date().timeIntervalSince1970 * 1000)
            for index in stride(from: 0, to: sockets.count - 1, by: 2) {
                let parts = sockets[index].split(separator: "@", maxSplits: 1)
                let left = ((Int(sockets[index + 1]) ?? now) - now) / 1000
                print("  \(parts.first ?? "")  node=\(parts.count > 1 ? parts[1] : "?")  \(left >= 0 ? "expires in \(left)s" : "expired")")
            }
            let replay = try await redis.xrange(keys.replay(id))
            print("replay log: \(replay.count) push(es)")
            for entry in replay.suffix(20) { print("  \(entry.id)  \(entry.fields["m"] ?? "")") }
        case ("contact", let id?):
            let record = try await redis.hgetall(keys.contact(id))
            if record.isEmpty { print("contact \(id): not found") } else { print("contact \(id)"); printFields(record) }
            let queue = record["queue"] ?? config.routing.defaultQueue
            if let profile = config.routing.profile(ofQueue: queue), let routing = try await redis.hget(keys.routingContacts(profile: profile), id) {
                print("routing (profile \(profile))  \(routing)")
            }
        case ("agent", let id?):
            let profile = config.routingProfile(ofAgent: id)
            if let agent = try await redis.hget(keys.routingAgents(profile: profile), id) {
                print("agent \(id) (profile \(profile))  \(agent)")
            } else {
                print("agent \(id): not found")
            }
        case ("streams", _):
            for stream in [config.events.stream, config.events.stream + ":dlq"] {
                print("\(stream): \(try await redis.xlen(stream)) entries")
            }
            let groups = try await redis.send("XINFO", "GROUPS", config.events.stream).array ?? []
            for group in groups {
                let info = group.stringMap
                print("  group \(info["name"] ?? "?"): consumers=\(info["consumers"] ?? "?") pending=\(info["pending"] ?? "?") last-delivered=\(info["last-delivered-id"] ?? "?")")
            }
            let nodes = try await redis.smembers(keys.nodes)
            print("nodes with sockets: \(nodes.sorted().joined(separator: " "))")
        default:
            throw ValidationError("usage: switchboard inspect (user USERID | contact CONTACTID | agent AGENTID | streams)")
        }
    }

    private func printFields(_ fields: [String: String]) {
        for key in fields.keys.sorted() { print("  \(key): \(fields[key]!)") }
    }
}
