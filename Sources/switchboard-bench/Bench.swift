import SwitchboardCore
import ContactEngine
import ArgumentParser

/// Benchmarks, each printed beside a reference measured in the same run.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-bench",
        abstract: "Benchmarks of the Redis client and the real-time path.",
        subcommands: [RedisBench.self, PushBench.self, RoutingBench.self, AWSBench.self, CodecBench.self, IdleClients.self])
}
