import ClaimsBridge
import ClaimsBridgeStorage
import Foundation

/// A transport that can check, without sending anything, that a delivery could be attempted: its folder exists and
/// is writable, its secrets can be read, its certificate and key files are readable. `watch --check` runs it.
public protocol ReadinessChecking {
    /// What stands in the way of delivering now, in words an operator can act on (never a secret's value);
    /// empty when nothing does.
    func readinessProblems() -> [String]
}

/// Readiness checks shared by the transports.
enum Readiness {
    /// A problem when `path` is not a readable file.
    static func readableFile(_ path: String?, _ what: String) -> [String] {
        guard let path else { return [] }
        var info = stat()
        guard stat(path, &info) == 0 else { return ["\(what) \(path) does not exist"] }
        guard info.st_mode & S_IFMT == S_IFREG else { return ["\(what) \(path) is not a file"] }
        guard access(path, R_OK) == 0 else { return ["\(what) \(path) cannot be read by this user"] }
        return []
    }

    /// A problem when a secret cannot be read now (the reference is named, the value never).
    static func secret(_ reference: SecretReference?, _ what: String) -> [String] {
        guard let reference else { return [] }
        do throws(TransportError) {
            _ = try reference.resolve()
            return []
        } catch {
            return ["\(what): \(error.reason)"]
        }
    }

    /// A problem when `path` is not a folder this user can create files in.
    static func writableFolder(_ path: String) -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else { return ["the folder \(path) does not exist"] }
        guard info.st_mode & S_IFMT == S_IFDIR else { return ["\(path) is not a folder"] }
        guard access(path, W_OK | X_OK) == 0 else { return ["the folder \(path) is not writable by this user"] }
        return []
    }

    static func tls(_ options: TLSOptions) -> [String] {
        readableFile(options.caBundle, "the CA bundle")
            + readableFile(options.clientCertificate, "the client certificate")
            + readableFile(options.clientKey, "the client key")
            + secret(options.clientKeyPassphrase, "clientKeyPassphrase")
    }
}
