import Foundation
import Synchronization

/// Where this node listens once bound. With `node.port: 0` the system picks the port, so absolute URLs the engine
/// hands out (participant WebSocket, signaling) can only be made after the bind.
public final class ListeningAddress: Sendable {
    private let node: NodeConfig
    private let boundPort: Mutex<Int>

    /// The configured address; the port is the configured one until ``bound(port:)`` says otherwise.
    public init(_ node: NodeConfig) {
        self.node = node
        boundPort = Mutex(node.port)
    }

    /// Records the port the listener got.
    package func bound(port: Int) {
        boundPort.withLock { $0 = port }
    }

    /// The port clients reach this node on directly.
    public var port: Int { boundPort.withLock { $0 } }

    /// `node.publicUrl`, or `http://<host>:<bound port>`, without a trailing slash.
    public var publicBaseURL: String {
        let base = node.publicUrl ?? "\(node.tls == nil ? "http" : "https")://\(node.host):\(port)"
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    /// Writes `host:port` to `path` (through a rename, so a reader never sees half of it): how a harness that started
    /// the node with port 0 learns the port.
    package func write(to path: String) throws {
        let temporary = path + ".tmp"
        try Data("\(node.host):\(port)\n".utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw SwitchboardError.internal("cannot write \(path): errno \(errno)") }
    }
}
