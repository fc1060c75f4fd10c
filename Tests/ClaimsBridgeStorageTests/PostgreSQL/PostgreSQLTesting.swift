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
        configuration = try server.newDatabase()
    }

    func connect() throws -> PostgreSQLDatabase {
        try PostgreSQLDatabase(configuration: configuration)
    }
}
