import Foundation

/// Where the database password is read from: `env:NAME` or `file:PATH`. The reference may be printed; the value
/// never is, and no error contains it. Read again at every connection, so a rotated password is picked up.
public enum PostgreSQLSecret: Sendable, Hashable, CustomStringConvertible {
    case environment(String)
    case file(String)

    /// Parses `env:NAME` or `file:PATH`; anything else (a literal password) is refused with nil.
    public init?(parsing text: String) {
        if text.hasPrefix("env:"), text.count > 4 {
            self = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("file:"), text.count > 5 {
            self = .file(String(text.dropFirst(5)))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        }
    }

    /// The password, without a trailing newline.
    /// - Throws: ``PostgreSQLError`` (`invalidConfiguration`) naming the variable or file, never the value.
    func resolve() throws(PostgreSQLError) -> String {
        let value: String?
        switch self {
        case .environment(let name):
            value = ProcessInfo.processInfo.environment[name]
        case .file(let path):
            value = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        var text = value ?? ""
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        guard !text.isEmpty else {
            throw PostgreSQLError(.invalidConfiguration, "the database password \(self) is unset, empty or unreadable")
        }
        return text
    }
}
