import ArgumentParser
import ClaimsBridge
import ClaimsBridgeStorage
import Foundation
import Logging

/// Options every subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(
        help:
            "The folder of layouts and mappings (default: $CLAIMSBRIDGE_MAPPINGS, ./Mappings, or the one shipped with claimsbridge)."
    )
    var mappings: String?

    @Option(
        help:
            "How much to log on standard error: trace, debug, info, notice, warning, error or critical. Logs never contain patient data."
    )
    var logLevel: String = "warning"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// The logger the commands pass to the library; it writes to standard error.
    func makeLogger() -> Logger {
        var logger = Logger(label: "claimsbridge") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        return logger
    }

    /// Loads the CDAnet catalog from the mappings folder.
    func loadCatalog() throws -> CDAnetCatalog {
        let folder = try resolveMappings()
        return try CDAnetCatalog(directory: (folder as NSString).appendingPathComponent("cdanet"))
    }

    func resolveMappings() throws -> String {
        if let mappings { return mappings }
        if let fromEnvironment = ProcessInfo.processInfo.environment["CLAIMSBRIDGE_MAPPINGS"] { return fromEnvironment }
        let manager = FileManager.default
        if manager.fileExists(atPath: "Mappings/cdanet") { return "Mappings" }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("Mappings")
            if manager.fileExists(atPath: candidate.appendingPathComponent("cdanet").path) { return candidate.path }
            folder = folder.deletingLastPathComponent()
        }
        throw ValidationError("cannot find the Mappings folder; pass --mappings DIR or set CLAIMSBRIDGE_MAPPINGS")
    }
}

/// Opening inputs and outputs for the commands.
enum Files {
    static func openInput(_ path: String?) throws -> FileDescriptorInput {
        guard let path else { return FileDescriptorInput(descriptor: 0, name: "stdin") }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ValidationError("cannot open the input file \(path)") }
        return FileDescriptorInput(descriptor: descriptor, name: path)
    }

    static func openOutput(_ path: String?) throws -> FileDescriptorOutput {
        guard let path else { return FileDescriptorOutput(descriptor: 1, name: "stdout") }
        // Owner-only when new (results and rejects hold personal data); an existing file keeps its mode.
        guard let descriptor = try? PrivateFiles.createOrTruncate(path) else {
            throw ValidationError("cannot create the output file \(path)")
        }
        return FileDescriptorOutput(descriptor: descriptor, name: path)
    }

    static func printError(_ text: String) {
        var line = Array(text.utf8)
        line.append(0x0A)
        line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}
