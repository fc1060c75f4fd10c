public import ClaimsBridge
import Foundation

/// Where a secret (a passphrase, a webhook secret) is read from: an environment variable or a file.
///
/// Secrets never come from the command line or from the configuration file itself. The reference — the variable's
/// name or the file's path — may be printed; the value never is, and no error message contains it.
///
/// In configuration: `env:WEBHOOK_SECRET` or `file:/run/secrets/webhook`.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// The value of an environment variable.
    case environment(String)
    /// The contents of a file, without a trailing newline.
    case file(String)

    /// Parses `env:NAME` or `file:PATH`; anything else is refused (nil), so that a literal secret cannot be
    /// written into a configuration file by mistake.
    public init?(parsing text: String) {
        if text.hasPrefix("env:"), text.count > 4 {
            self = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("file:"), text.count > 5 {
            self = .file(String(text.dropFirst(5)))
        } else {
            return nil
        }
    }

    /// `env:NAME` or `file:PATH` (never the value).
    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        }
    }

    /// Whether the secret can be read now (the variable is set and non-empty, or the file is readable).
    public var isAvailable: Bool { (try? resolve()) != nil }

    /// Reads the secret.
    /// - Throws: ``TransportError`` with code `invalidConfiguration`, naming the reference but not the value.
    public func resolve() throws(TransportError) -> String {
        switch self {
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw TransportError(
                    .invalidConfiguration, retryable: false, "the environment variable \(name) is not set")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TransportError(.invalidConfiguration, retryable: false, "cannot read the secret file \(path)")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.last == "\n" || text.last == "\r" { text.removeLast() }
            guard !text.isEmpty else {
                throw TransportError(.invalidConfiguration, retryable: false, "the secret file \(path) is empty")
            }
            return text
        }
    }
}
