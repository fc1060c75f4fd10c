import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The served certificate and key, read from their files at start and again on each SIGHUP; each new
/// connection gets the ones read last. A reload that fails (a file missing or unreadable) keeps the previous
/// pair and logs why.
final class TLSCertificateReloader: Service, Sendable {
    private struct Pair: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
    }

    let files: ServiceConfiguration.TLSFiles
    private let current: Mutex<Pair>
    private let logger: Logger

    /// - Throws: an error naming the file when the certificate or key cannot be read.
    init(files: ServiceConfiguration.TLSFiles, logger: Logger) throws {
        self.files = files
        self.logger = logger
        current = Mutex(try Self.read(files))
    }

    private static func read(_ files: ServiceConfiguration.TLSFiles) throws -> Pair {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw ServiceError("cannot read the TLS certificate \(files.certificate): \(error)")
        }
        guard !chain.isEmpty else {
            throw ServiceError("the TLS certificate file \(files.certificate) holds no certificate")
        }
        do {
            return Pair(chain: chain, key: try NIOSSLPrivateKey(file: files.key, format: .pem))
        } catch {
            throw ServiceError("cannot read the TLS key \(files.key): \(error)")
        }
    }

    /// Reads the files again; on failure the previous pair stays.
    func reload() {
        do {
            let pair = try Self.read(files)
            current.withLock { $0 = pair }
            logger.notice("TLS certificate reloaded", metadata: ["certificate": "\(files.certificate)"])
        } catch {
            logger.error(
                "TLS certificate not reloaded; the previous one is still served", metadata: ["reason": "\(error)"])
        }
    }

    /// The server's TLS configuration: the pair read now, replaced per connection by the pair read last.
    func configuration() -> TLSConfiguration {
        let pair = current.withLock { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: pair.chain.map { .certificate($0) }, privateKey: .privateKey(pair.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { [self] _, promise in
            let latest = current.withLock { $0 }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = latest.chain.map { .certificate($0) }
            override.privateKey = .privateKey(latest.key)
            promise.succeed(override)
        }
        return configuration
    }

    /// Reloads on each SIGHUP until shutdown.
    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() { reload() }
    }
}

/// A service start-up problem, said in one sentence.
struct ServiceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
