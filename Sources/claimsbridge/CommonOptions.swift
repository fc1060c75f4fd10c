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
        return try CDAnetCatalog.load(
            directory: (folder as NSString).appendingPathComponent("cdanet"),
            cacheFolder: CDAnetCatalog.defaultCacheFolder(environment: ProcessInfo.processInfo.environment))
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
        throw BridgeError(
            .invalidConfiguration, "cannot find the Mappings folder; pass --mappings DIR or set CLAIMSBRIDGE_MAPPINGS")
    }
}
