import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation

/// Connections to a fresh, empty database on a private test server, one database per test.
struct PostgreSQLTesting {
    let server: PostgreSQLTestServer
    let configuration: PostgreSQLConfiguration

    /// A new database on the process's shared server.
    init() throws {
        try self.init(server: PostgreSQLTestServer.shared())
    }

    /// A new database on `server`.
    init(server: PostgreSQLTestServer) throws {
        self.server = server
        let administration = try PostgreSQLConfiguration(
            host: server.folder, port: server.port, user: server.user, database: "postgres",
            password: .file(server.passwordFile))
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try PostgreSQLDatabase(configuration: administration).execute("CREATE DATABASE \(name)")
        configuration = administration.with(database: name)
    }

    func connect() throws -> PostgreSQLDatabase {
        try PostgreSQLDatabase(configuration: configuration)
    }
}

/// Runs `body(index)` on `count` threads at once and returns each result, rethrowing the first failure.
func onThreads<Value: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Value) throws -> [Value] {
    let results = ThreadResults<Value>(count: count)
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            results.set(index, Result { try body(index) })
            group.leave()
        }.start()
    }
    group.wait()
    return try results.values()
}

private final class ThreadResults<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Value, any Error>?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: Result<Value, any Error>) { lock.withLock { results[index] = result } }
    func values() throws -> [Value] { try lock.withLock { try results.map { try $0!.get() } } }
}
