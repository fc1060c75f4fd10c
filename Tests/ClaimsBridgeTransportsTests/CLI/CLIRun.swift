import ClaimsBridgeTestSupport
import Foundation

/// Runs the built `claimsbridge` binary through `posix_spawn`, capturing its output in files.
struct CLIRun {
    var status: Int32
    var stdout: String
    var stderr: String

    static func start(_ arguments: [String], environment: [String: String] = [:], outputIn folder: String) throws
        -> pid_t
    {
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return try Spawn.start(
            CommandRunner.executable.path, arguments, stdout: folder + "/stdout", stderr: folder + "/stderr",
            environment: variables)
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIRun {
        let folder = try makeScratchFolder("cli")
        let status = Spawn.wait(try start(arguments, environment: environment, outputIn: folder))
        return CLIRun(
            status: status, stdout: (try? String(contentsOfFile: folder + "/stdout", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: folder + "/stderr", encoding: .utf8)) ?? "")
    }
}
