import SwitchboardCore
import ContactEngine
import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import Switchboard

/// The `switchboard` command: serve a node, feed the event stream, inspect Redis.
@main
struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Multi-modal customer support backend on Redis.",
        subcommands: [Serve.self, Bridge.self, Inspect.self, HashPassword.self])
}

/// Options every subcommand shares.
struct ConfigOptions: ParsableArguments {
    @Option(help: "Path to config.json (default ./config.json or $SWITCHBOARD_CONFIG).")
    var config: String?

    @Option(help: "Redis URL, redis[s]://[USER:PASSWORD@]HOST:PORT[/DB] or unix:///PATH[?db=DB]; overrides redis.url.")
    var redis: String?

    func load() throws -> SwitchboardConfig {
        let path = config ?? ProcessInfo.processInfo.environment["SWITCHBOARD_CONFIG"] ?? "config.json"
        var loaded = try SwitchboardConfig.load(path: path)
        if let redis { loaded.redis.url = redis }
        return loaded
    }

    /// Loads the config, turning its errors into a usage error that names the key.
    func loadOrExit() throws -> SwitchboardConfig {
        do {
            return try load()
        } catch let error as SwitchboardError {
            throw ValidationError(error.description)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run one node.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Address to bind; overrides node.host.") var host: String?
    @Option(help: "Port to bind; overrides node.port.") var port: Int?
    @Option(name: .customLong("node-id"), help: "Node id; default host-pid-random.") var nodeId: String?
    @Option(name: .customLong("address-file"),
            help: "Once listening, write HOST:PORT to this file (with --port 0, how a script or test learns the port).")
    var addressFile: String?

    func run() async throws {
        var config = try options.loadOrExit()
        if let host { config.node.host = host }
        if let port { config.node.port = port }
        do {
            try config.checkSecretsForHost()
        } catch let error as SwitchboardError {
            throw ValidationError(error.description)
        }
        let nodeId = nodeId ?? config.node.id ?? NodeOptions.makeNodeId()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let node = try await buildNode(NodeOptions(config: config, nodeId: nodeId, registry: registry, addressFile: addressFile), logger: Logger(label: "switchboard"))
        try await node.run()
    }
}
