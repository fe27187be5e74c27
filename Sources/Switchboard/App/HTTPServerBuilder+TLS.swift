import SwitchboardCore
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

extension HTTPServerBuilder {
    /// This server behind TLS with `node.tls`'s certificate (HTTPS and WSS on the same port), or unchanged without it.
    /// A certificate or key that cannot be loaded stops the node at start, naming the setting.
    func withTLS(_ tls: NodeConfig.TLS?) throws(SwitchboardError) -> HTTPServerBuilder {
        guard let tls else { return self }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certFile).map { NIOSSLCertificateSource.certificate($0) }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)))
            configuration.minimumTLSVersion = .tlsv12
            return try .tls(self, tlsConfiguration: configuration)
        } catch {
            throw .config("\"node.tls\": cannot use the certificate \(tls.certFile) and key \(tls.keyFile): \(error)")
        }
    }
}
