import Foundation

/// Where a secret (a database password, a passphrase, a webhook secret) is read from: an environment variable or a
/// file.
///
/// Secrets never come from the command line or from the configuration file itself. The reference — the variable's
/// name or the file's path — may be printed; the value never is, and no error message contains it. A secret is read
/// again each time it is needed, so a rotated one is picked up.
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

    /// Why a secret could not be read; each module words it in its own error.
    public enum Unreadable: Error, Sendable, Equatable {
        /// The environment variable is not set, or empty.
        case unset
        /// The file cannot be read.
        case unreadable
        /// The file holds nothing but line ends.
        case empty
    }

    /// Reads the secret: an environment variable's value as it is, a file's contents without trailing line ends.
    /// - Throws: ``Unreadable``, never with the value.
    public func read() throws(Unreadable) -> String {
        switch self {
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { throw .unset }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable }
            var text = String(decoding: data, as: UTF8.self)
            // A line end written on Windows ("\r\n") is one Character, equal neither to "\n" nor to "\r".
            while let last = text.last, last == "\n" || last == "\r" || last == "\r\n" { text.removeLast() }
            guard !text.isEmpty else { throw .empty }
            return text
        }
    }
}
