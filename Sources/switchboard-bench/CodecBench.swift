import ArgumentParser
import Foundation
import SwitchboardCore

/// `switchboard-bench codec`: what one event costs the node in JSON work on the push path (parse the event, read the
/// contact's attributes, encode the push), per operation.
struct CodecBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec", abstract: "Per-event JSON cost on the push path.")

    @Option(help: "Operations per measurement.") var count = 200_000

    func run() async throws {
        let event = PushBench.event(contactId: UUID().uuidString.lowercased())
        let hash = ["id": "c", "channel": "CHAT", "initiatedAt": "0", "attr:userId": "user_\(UUID().uuidString.lowercased())",
                    "attr:InitiationMethod": "Chat"]
        measure("ContactEvent.parse") { _ = try? ContactEvent.parse(event) }
        measure("ContactRecord from its hash") { _ = ContactRecord(hash: hash) }
        measure("CustomerPush encode") { _ = Wire.encode(CustomerPush.enableEscalation(contactId: "c", userId: "u")) }
    }

    private func measure(_ name: String, _ body: () -> Void) {
        for _ in 0..<1000 { body() }
        let start = ContinuousClock.now
        for _ in 0..<count { body() }
        let elapsed = ContinuousClock.now - start
        let ns = (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(count)
        print(String(format: "%-28@ %8.0f ns/op", name, ns))
    }
}
