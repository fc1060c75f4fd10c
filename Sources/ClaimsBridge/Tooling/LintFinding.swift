/// One problem found in a layout, mapping or code table, with where it is and how to fix it.
public struct LintFinding: Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// The mapping cannot be used as it is (or cannot be used for writing).
        case error
        /// The mapping works, but probably not as intended.
        case warning
    }

    public var severity: Severity
    public var file: String
    public var line: Int?
    public var message: String
    /// A suggested fix, or nil.
    public var fix: String?

    public init(_ severity: Severity, file: String, line: Int?, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.file = file
        self.line = line
        self.message = message
        self.fix = fix
    }

    /// `file:line: warning: message (fix: …)`.
    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return "\(place): \(severity.rawValue): \(message)" + (fix.map { " (fix: \($0))" } ?? "")
    }

    /// The finding as one JSON object.
    public var jsonLine: String {
        var out: [UInt8] = Array("{\"severity\":\"\(severity.rawValue)\",\"file\":".utf8)
        JSONWriter.appendString(Array(file.utf8)[...], to: &out)
        if let line { out += Array(",\"line\":\(line)".utf8) }
        out += Array(",\"message\":".utf8)
        JSONWriter.appendString(Array(message.utf8)[...], to: &out)
        if let fix {
            out += Array(",\"fix\":".utf8)
            JSONWriter.appendString(Array(fix.utf8)[...], to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
