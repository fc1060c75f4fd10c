import ArgumentParser

/// Options of the XML and partner-JSON translations.
struct TreeFormatOptions: ParsableArguments {
    @Option(help: "The tree mapping file for --from/--to xml or partner-json (instead of a bundled one).")
    var mapping: String?

    @Option(
        name: .customLong("param"),
        help: "A value for the mapping's parameters, NAME=VALUE (repeatable), e.g. --param transmitter=18001.")
    var parameters: [String] = []

    @Flag(help: "Write the XML batch inside a zip archive (one entry, claims<batch date>.xml).")
    var zip = false

    @Flag(help: "Write XML on one line instead of indenting it.")
    var compact = false

    func validate() throws {
        for parameter in parameters where !parameter.contains("=") {
            throw ValidationError("--param takes NAME=VALUE (got \(parameter))")
        }
    }

    var parameterValues: [String: String] { Self.values(of: parameters) }

    /// `NAME=VALUE` pairs (already checked by ``validate()``) as a dictionary.
    static func values(of parameters: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = String(parts[1])
        }
        return values
    }
}
