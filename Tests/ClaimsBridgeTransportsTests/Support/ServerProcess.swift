import Foundation

/// A server process started by a test. It is killed with SIGKILL when stopped or released, and, through
/// `setpriv --pdeathsig`, when the test process dies.
final class ServerProcess: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: pid_t?

    init(_ executable: String, _ arguments: [String]) throws {
        if let setpriv = Tool.path("setpriv") {
            pid = try Spawn.start(setpriv, ["--pdeathsig", "KILL", "--", executable] + arguments)
        } else {
            pid = try Spawn.start(executable, arguments)
        }
    }

    deinit { stop() }

    /// Kills the process and waits until it is gone.
    func stop() {
        guard
            let pid = lock.withLock({ () -> pid_t? in
                defer { self.pid = nil }; return self.pid
            })
        else { return }
        kill(pid, SIGKILL)
        Spawn.wait(pid)
    }
}
