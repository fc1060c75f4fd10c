import HummingbirdTLS
import NIOSSL

/// The simulator's TLS: its certificate chain and key (PEM files), and, for mutual TLS, the certificate
/// authorities whose client certificates it accepts; with `clientCA` set, a client without a certificate signed
/// by one of them is refused during the handshake.
public struct SimulatorTLS: Sendable, Hashable {
    /// The PEM certificate chain the simulator presents.
    public var certificate: String
    /// The PEM private key of ``certificate``.
    public var key: String
    /// A PEM file of the authorities that sign accepted client certificates; nil does not ask for one.
    public var clientCA: String?

    /// TLS settings.
    public init(certificate: String, key: String, clientCA: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.clientCA = clientCA
    }

    func makeConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        if let clientCA {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .file(clientCA)
        }
        return configuration
    }
}
