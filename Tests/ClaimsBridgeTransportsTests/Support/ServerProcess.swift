import Foundation

/// A server process started by a test. It is killed with SIGKILL when stopped or released, and, through
/// `setpriv --pdeathsig`, when the test process dies.
final class ServerProcess: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: pid_t?

    init(_ executable: String, _ arguments: [String]) throws {
        if let setpriv = Tool.path("setpriv") {
            // `--pdeathsig` kills the child when the *thread* that started it ends, and the pool threads tests run
            // on end when they sit idle (a slow instrumented run makes that likely): start it from a thread that
            // lives as long as the test process.
            pid = try LauncherThread.shared.run {
                try Spawn.start(setpriv, ["--pdeathsig", "KILL", "--", executable] + arguments)
            }
        } else {
            pid = try Spawn.start(executable, arguments)
        }
    }

    deinit { stop() }

    /// Whether the process is still running (a process that ended is reaped here).
    var isRunning: Bool {
        lock.withLock {
            guard let pid else { return false }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return true }
            self.pid = nil
            return false
        }
    }

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

/// One thread, never ended, that starts the test servers.
private final class LauncherThread: @unchecked Sendable {
    static let shared = LauncherThread()
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while jobs.isEmpty { condition.wait() }
                let job = jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
        thread.name = "test server launcher"
        thread.start()
    }

    /// Runs `body` on the launcher thread and waits for its result.
    func run<T>(_ body: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        var result: Result<T, any Error>?
        condition.lock()
        jobs.append {
            result = Result(catching: body)
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return try result!.get()
    }
}
