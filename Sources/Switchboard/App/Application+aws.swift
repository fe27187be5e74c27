import SwitchboardCore
import ContactEngine
import AsyncHTTPClient
import ConnectWire
import Hummingbird
import Logging
import RedisClient
import ServiceLifecycle

/// AWS mode (SPEC §5a): contacts live in Amazon Connect, reached with the standard credential chain. Neither the
/// embedded engine nor `/connect` nor the local agent API is mounted; agents use Connect's own agent application.
func buildAWSBackend(config: SwitchboardConfig, redis: RedisClient, keys: RedisKeys, bridgeKey: BridgeKeyGuard,
                     logger baseLogger: Logger) throws -> ContactBackend {
    var logger = baseLogger
    logger[metadataKey: "component"] = "aws"
    let credentials: AWSCredentials
    do {
        credentials = try AWSCredentials.fromStandardChain()
    } catch {
        throw SwitchboardError.config("connect.mode is \"aws\" but \(error.message)")
    }
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let client = ConnectClient(
        configuration: .init(endpoint: config.connect.endpoint, region: config.connect.region,
                             timeout: .milliseconds(Int64(config.connect.timeoutMs)), maxAttempts: config.connect.maxAttempts),
        credentials: credentials, http: http)
    let contacts = AWSContactService(client: client, redis: redis, keys: keys, connect: config.connect,
                                     chatDurationSeconds: config.local.chatDurationSeconds, logger: logger)
    logger.info("AWS mode", metadata: ["endpoint": "\(config.connect.endpoint)", "accessKeyId": "\(credentials.accessKeyId)"])
    let routes = AWSController(contacts: contacts, key: bridgeKey)
    return ContactBackend(
        contacts: contacts,
        addRoutes: { router in router.addRoutes(routes.endpoints) },
        services: [HTTPClientService(client: http)],
        isReady: { true })
}

/// Shuts the HTTP client down once the server has stopped (its in-flight calls have finished by then).
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
