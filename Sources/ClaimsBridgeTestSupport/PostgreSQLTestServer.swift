public import ClaimsBridgeStorage
import Foundation

/// A private PostgreSQL server for tests: `initdb` into a temporary folder, listening only on a Unix socket in that
/// folder (no TCP), with a password (SCRAM) for the role `cb`. The server refuses to run as root, so under root it
/// runs as the `postgres` system user through `su`.
///
/// Missing server binaries are a failure, not a skip: the error says to run `make deps`.
public final class PostgreSQLTestServer: @unchecked Sendable {
    /// The folder holding the data directory, the socket, the log and the password file.
    public let folder: String
    /// The socket's port number (it only names the socket file), and the TCP port of a server started with TLS.
    public let port: Int
    /// The server's certificate and key when it also listens on 127.0.0.1 with TLS; nil for the socket alone.
    private let tls: (certificate: String, key: String)?
    public let user = "cb"
    /// A file holding the role's password, for `file:` secrets.
    public let passwordFile: String
    /// Seconds `initdb` plus the first start took.
    public private(set) var startupSeconds: Double = 0
    private let binaries: String

    /// One server shared by every test of the process, stopped when the process exits.
    public static func shared() throws -> PostgreSQLTestServer {
        try sharedServer.get()
    }

    private static let sharedServer: Result<PostgreSQLTestServer, any Error> = {
        let result = Result { try PostgreSQLTestServer() }
        atexit { (try? PostgreSQLTestServer.sharedServer.get())?.destroy() }
        return result
    }()

    /// Creates and starts a new server; call ``stop()`` when done.
    /// - Parameter tls: a PEM certificate and key: the server then also listens on 127.0.0.1 at ``port`` (a free
    ///   port picked at random) with `ssl=on`, for TLS handshakes.
    public init(tls: (certificate: String, key: String)? = nil) throws {
        let started = Date()
        port = tls == nil ? 5432 : Int.random(in: 30_000..<60_000)
        binaries = try Self.findBinaries()
        folder = "/tmp/cbpg-" + UUID().uuidString.prefix(8).lowercased()
        passwordFile = folder + "/password"
        let home = folder
        self.tls = tls.map { _ in (home + "/server.crt", home + "/server.key") }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("pw-\(UUID().uuidString)\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
        if getuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres", folder]) }
        try runAsServerUser(
            "\(binaries)/initdb -D \(folder)/data -U \(user) --auth=scram-sha-256 --pwfile=\(passwordFile)"
                + " -E UTF8 --no-locale --no-sync")
        for (source, name) in tls.map({ [($0.certificate, "server.crt"), ($0.key, "server.key")] }) ?? [] {
            try FileManager.default.copyItem(atPath: source, toPath: folder + "/" + name)
            chmod(folder + "/" + name, 0o600)
            if getuid() == 0 { try Self.run("/bin/chown", ["postgres", folder + "/" + name]) }
        }
        try start()
        startupSeconds = Date().timeIntervalSince(started)
    }

    /// A new, empty database on this server, for the role ``user`` with its password as a `file:` secret.
    ///
    /// Its pool keeps one idle connection (``PostgreSQLConfiguration/poolSize`` 1): a test process makes a database
    /// per test and their pools live until it exits, so that many of them stay within the server's
    /// `max_connections` (400: one `swift test` holds about 130 test databases and, at its peak, about 220
    /// connections).
    public func newDatabase() throws -> PostgreSQLConfiguration {
        var administration = try PostgreSQLConfiguration(
            host: folder, port: port, user: user, database: "postgres", password: .file(passwordFile))
        administration.poolSize = 1
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try PostgreSQLDatabase(configuration: administration).execute("CREATE DATABASE \(name)")
        return administration.with(database: name)
    }

    /// A delivery configuration's `store:` block (URL, `passwordFrom:` and the tests' `poolSize:`) naming a new, empty
    /// database on this server.
    public func newStoreYAML() throws -> String {
        let store = try newDatabase()
        let password = store.password.map { "\n  passwordFrom: \($0)" } ?? ""
        return """
            store:
              url: postgres://\(store.user)@localhost:\(store.port)/\(store.database)?host=\(store.host)\(password)
              poolSize: \(store.poolSize)
            """
    }

    /// Starts the server (again) and waits until it accepts connections.
    public func start() throws {
        var options = "-k \(folder) -p \(port) -c fsync=off -c max_connections=400"
        if let tls {
            options += " -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=\(tls.certificate) -c ssl_key_file=\(tls.key)"
        } else {
            options += " -c listen_addresses="
        }
        try runAsServerUser("\(binaries)/pg_ctl -D \(folder)/data -o '\(options)' -l \(folder)/log -w start")
    }

    /// Stops the server; `immediate` drops every connection at once, as a crash would.
    public func stop(immediate: Bool = false) throws {
        try runAsServerUser("\(binaries)/pg_ctl -D \(folder)/data -m \(immediate ? "immediate" : "fast") -w stop")
    }

    /// Stops the server and deletes its folder.
    public func destroy() {
        try? stop(immediate: true)
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func runAsServerUser(_ command: String) throws {
        if getuid() == 0 {
            try Self.run("/bin/su", ["postgres", "-s", "/bin/sh", "-c", command], log: folder + "/log")
        } else {
            try Self.run("/bin/sh", ["-c", command], log: folder + "/log")
        }
    }

    /// Runs a command and waits for it with `posix_spawn`/`waitpid` (Foundation's `Process` was seen never to
    /// reap `su` here). Output goes to a file, not a pipe, and no other descriptor of the test process is passed on:
    /// the server pg_ctl leaves running would hold it open for the rest of the run.
    private static func run(_ executable: String, _ arguments: [String], log: String? = nil) throws {
        let outputPath = NSTemporaryDirectory() + "cbpg-command-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        InheritedDescriptors.closeAllButStandard(&actions)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw TestServerError("cannot run \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status >> 8) & 0xFF
        guard status & 0x7F == 0, exitCode == 0 else {
            let printed = FileManager.default.contents(atPath: outputPath) ?? Data()
            let logText = log.flatMap { FileManager.default.contents(atPath: $0) } ?? Data()
            throw TestServerError(
                "\(executable) \(arguments.joined(separator: " ")) exited with status \(status):\n"
                    + String(decoding: printed + logText, as: UTF8.self))
        }
    }

    /// The folder with `initdb` and `pg_ctl`: from `pg_config --bindir`, or the newest /usr/lib/postgresql/N/bin.
    private static func findBinaries() throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let candidates = versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        for folder in candidates + ["/usr/local/bin", "/usr/bin"]
        where FileManager.default.isExecutableFile(atPath: folder + "/initdb")
            && FileManager.default.isExecutableFile(atPath: folder + "/pg_ctl")
        {
            return folder
        }
        throw TestServerError(
            "the PostgreSQL server (initdb, pg_ctl) is not installed: run `make deps` (it installs postgresql)")
    }
}

/// A test server that could not be set up, with what to do about it.
public struct TestServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
