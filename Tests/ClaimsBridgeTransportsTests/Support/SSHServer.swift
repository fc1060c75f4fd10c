import Foundation

/// An OpenSSH sshd with its own configuration, host key and authorized client key, on 127.0.0.1 for one test.
final class SSHServer: @unchecked Sendable {
    let port: Int
    let folder: String
    /// The folder uploads go to (an absolute path on this machine, which is also the server).
    let dropFolder: String
    var clientKey: String { folder + "/client_ed25519" }
    var knownHosts: String { folder + "/known_hosts" }
    /// A known_hosts file that lists another key for this host.
    var wrongKnownHosts: String { folder + "/wrong_known_hosts" }
    /// A known_hosts file without this host.
    var emptyKnownHosts: String { folder + "/empty_known_hosts" }
    let hostKeyFingerprint: String
    let otherKeyFingerprint: String
    let user: String
    private let process: ServerProcess

    init() throws {
        let folder = try makeScratchFolder("sshd")
        let port = freePort()
        self.folder = folder
        self.port = port
        dropFolder = folder + "/drop"
        try FileManager.default.createDirectory(atPath: dropFolder, withIntermediateDirectories: true)
        user = getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "root"
        for name in ["host_ed25519", "client_ed25519", "other_ed25519"] {
            try Tool.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", folder + "/" + name])
        }
        let hostKey = try String(contentsOfFile: folder + "/host_ed25519.pub", encoding: .utf8)
        let otherKey = try String(contentsOfFile: folder + "/other_ed25519.pub", encoding: .utf8)
        func entry(_ key: String) -> String {
            "[127.0.0.1]:\(port) " + key.split(separator: " ").prefix(2).joined(separator: " ") + "\n"
        }
        try entry(hostKey).write(toFile: folder + "/known_hosts", atomically: true, encoding: .utf8)
        try entry(otherKey).write(toFile: folder + "/wrong_known_hosts", atomically: true, encoding: .utf8)
        try "[127.0.0.2]:\(port) \(hostKey)".write(
            toFile: folder + "/empty_known_hosts", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: folder + "/client_ed25519.pub", toPath: folder + "/authorized_keys")
        func fingerprint(_ file: String) throws -> String {
            String(try Tool.run("ssh-keygen", ["-lf", file]).split(separator: " ")[1])
        }
        hostKeyFingerprint = try fingerprint(folder + "/host_ed25519.pub")
        otherKeyFingerprint = try fingerprint(folder + "/other_ed25519.pub")
        let config = """
            ListenAddress 127.0.0.1
            Port \(port)
            HostKey \(folder)/host_ed25519
            PidFile \(folder)/sshd.pid
            AuthorizedKeysFile \(folder)/authorized_keys
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            Subsystem sftp internal-sftp
            LogLevel ERROR

            """
        try config.write(toFile: folder + "/sshd_config", atomically: true, encoding: .utf8)
        // sshd wants its privilege-separation folder; only root can make it, and only root needs it.
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        process = try ServerProcess(Tool.path("sshd") ?? "/usr/sbin/sshd", ["-D", "-e", "-f", folder + "/sshd_config"])
        try waitForPort(port)
    }

    /// The files in the drop folder.
    func droppedFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dropFolder)) ?? []).sorted()
    }
}
