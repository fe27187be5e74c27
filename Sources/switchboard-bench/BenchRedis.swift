import Foundation
import RedisClient
import TestSupport

/// How the benchmarked nodes reach Redis: its Unix socket, plain TCP on loopback, or TLS on loopback (a CA and server
/// certificate made with `openssl` in Redis's folder; no client certificate).
enum BenchTransport: String, CaseIterable {
    case unix, tcp, tls

    /// A Redis listening on its socket and, for TCP or TLS, on a loopback port, and the nodes' settings for it
    /// (`redis.url`, and `redis.tls` for TLS). Redis cannot report a port it picked, so ports are tried until one binds.
    func start() async throws -> (server: RedisServer, nodeRedis: NodeRedisSettings) {
        if self == .unix {
            let server = try await RedisServer()
            return (server, NodeRedisSettings(url: server.url))
        }
        var lastError: (any Error)?
        for _ in 0..<20 {
            let port = Int.random(in: 20000...60000)
            let listener = self == .tcp
                ? ["--port", String(port), "--bind", "127.0.0.1"]
                : ["--tls-port", String(port), "--bind", "127.0.0.1", "--tls-cert-file", "server.pem", "--tls-key-file", "server.key",
                   "--tls-ca-cert-file", "ca.pem", "--tls-auth-clients", "no"]
            do {
                let server = try await RedisServer(arguments: listener) { directory in
                    if self == .tls { try Self.makeCertificates(in: directory) }
                }
                // Listeners open before the socket's, which start() waited for.
                let url = "\(self == .tls ? "rediss" : "redis")://127.0.0.1:\(port)/0"
                return (server, NodeRedisSettings(url: url, tls: self == .tls ? (server.directory + "/ca.pem", "localhost") : nil))
            } catch {
                lastError = error  // most likely the port was taken
            }
        }
        throw lastError ?? RedisError(.unavailable, "no Redis started")
    }

    private static func makeCertificates(in directory: String) throws {
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        for arguments in [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=bench CA", "-keyout", "ca.key", "-out", "ca.pem"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
             "-extfile", "server.ext", "-out", "server.pem"],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw RedisError(.unavailable, "openssl \(arguments[0]) failed") }
        }
    }
}
