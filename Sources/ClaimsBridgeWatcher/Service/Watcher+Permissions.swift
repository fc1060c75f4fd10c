import Logging

extension Watcher {
    /// Warns about (or, with `openPermissions: refuse`, refuses to start over) a state file, secret file or
    /// private key that other accounts can read.
    func checkFilePermissions() throws {
        let problems = configuration.openPermissionProblems()
        if configuration.refusesOpenPermissions, !problems.isEmpty {
            throw WatchError("refusing to start (openPermissions: refuse): " + problems.joined(separator: "; "))
        }
        for problem in problems {
            logger.warning("a file holding personal data or a secret is open to other accounts", metadata: ["problem": "\(problem)"])
        }
    }
}
