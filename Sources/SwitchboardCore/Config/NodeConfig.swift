import Foundation

/// `node`: this process's listening address and identity.
public struct NodeConfig: Sendable, Decodable {
    /// Address to bind.
    public var host: String
    /// Port to bind; 0 lets the system pick a free one (see `switchboard serve --address-file`).
    public var port: Int
    /// Node id; `nil` makes one from host, pid and randomness.
    public var id: String?
    /// Base URL clients reach this node at (`http(s)://host:port`), for absolute URLs the engine hands out
    /// (participant WebSocket, signaling). `nil` means `http(s)://<host>:<port>`; set it behind a load balancer.
    public var publicUrl: String?

    /// On SIGTERM, how long the node answers `/health` with 503 before it closes its sockets, so that a load
    /// balancer's checks stop sending it clients first (0 closes them at once).
    public var drainSeconds: Double
    /// `node.tls`: serve HTTPS and WSS on `port` with this certificate; absent, plain HTTP (TLS may then end at the
    /// load balancer, ops/haproxy.cfg).
    public var tls: TLS?

    /// `node.tls`: PEM files of the listener's certificate chain and its private key.
    public struct TLS: Sendable, Decodable {
        /// PEM certificate chain, the node's certificate first.
        public var certFile: String
        /// PEM private key of the certificate.
        public var keyFile: String

        enum CodingKeys: String, CodingKey, CaseIterable { case certFile, keyFile }

        /// Decodes strictly.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.strictContainer(CodingKeys.self)
            certFile = try c.required(.certFile)
            keyFile = try c.required(.keyFile)
        }
    }

    package enum CodingKeys: String, CodingKey, CaseIterable { case host, port, id, publicUrl, drainSeconds, tls }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.strictContainer(CodingKeys.self)
        host = try c.required(.host)
        port = try c.required(.port, min: 0, max: 65535)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        publicUrl = try c.decodeIfPresent(String.self, forKey: .publicUrl)
        drainSeconds = try c.optional(.drainSeconds, default: 0)
        guard (0...300).contains(drainSeconds) else { throw SwitchboardError.config("\"node.drainSeconds\" must be 0-300") }
        tls = try c.decodeIfPresent(TLS.self, forKey: .tls)
    }
}
