import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeTransports

@Suite("Delivery configuration: store")
struct StoreConfigurationTests {
    let folder: String

    init() throws { folder = try makeScratchFolder("store-config") }

    func load(_ text: String) throws -> DeliveryConfiguration {
        let path = folder + "/delivery.yaml"
        try (text + "\ndestinations:\n  archive: {type: folder, directory: out}\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        return try DeliveryConfiguration.load(path: path)
    }

    func error(_ text: String) -> String {
        do {
            _ = try load(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("Without store: the outbox stays in its SQLite file")
    func sqliteByDefault() throws {
        let configuration = try load("outbox: {path: data/outbox.sqlite}")
        #expect(configuration.postgreSQL == nil)
        #expect(configuration.outboxStore == .sqlite(path: folder + "/data/outbox.sqlite"))
    }

    @Test("store: as a URL or as a block with passwordFrom, sslmode and sslrootcert selects PostgreSQL")
    func postgreSQL() throws {
        let short = try load("store: postgres://cb@db.example:6432/claims?sslmode=require")
        let url = try #require(short.postgreSQL)
        #expect(url.host == "db.example" && url.port == 6432 && url.database == "claims" && url.sslMode == "require")
        #expect(url.password == nil)
        let block = try load(
            """
            store:
              url: postgres://cb@db.example/claims
              passwordFrom: env:CB_DB_PASSWORD
              sslmode: verify-full
              sslrootcert: /etc/ssl/db-ca.pem
            outbox: {leaseSeconds: 30}
            """)
        let full = try #require(block.postgreSQL)
        #expect(full.password == .environment("CB_DB_PASSWORD") && full.sslMode == "verify-full")
        #expect(full.sslRootCertificateFile == "/etc/ssl/db-ca.pem" && block.leaseSeconds == 30)
        #expect(block.outboxStore == .postgreSQL(full))
        #expect(block.outboxStore.description == "postgres://cb@db.example:5432/claims")
        #expect(url.poolSize == 4 && full.poolSize == 4, "4 idle connections kept by default")
        let pooled = try load("store:\n  url: postgres://cb@db.example/claims\n  poolSize: 12")
        #expect(pooled.postgreSQL?.poolSize == 12)
        #expect(try load("store:\n  url: postgres://cb@db.example/claims\n  poolSize: 0").postgreSQL?.poolSize == 0)
    }

    @Test("poolSize: a whole number from 0 to 64, or an error at its line")
    func poolSizeMistakes() {
        for value in ["-1", "65", "four", "2.5", "[4]"] {
            #expect(
                error("store:\n  url: postgres://cb@db/claims\n  poolSize: \(value)").contains(
                    "delivery.yaml:3: error: store: poolSize must be a whole number from 0 to 64"), "\(value)")
        }
    }

    @Test("poolIdleSeconds, poolMaxConnections and poolWaitSeconds: defaults, values, and mistakes at their line")
    func poolLimits() throws {
        let defaults = try #require(try load("store: postgres://cb@db.example/claims").postgreSQL)
        #expect(defaults.poolIdleSeconds == 300 && defaults.poolMaxConnections == 16 && defaults.poolWaitSeconds == 30)
        let set = try #require(
            try load(
                """
                store:
                  url: postgres://cb@db.example/claims
                  poolIdleSeconds: 0
                  poolMaxConnections: 40
                  poolWaitSeconds: 2.5
                """
            ).postgreSQL)
        #expect(set.poolIdleSeconds == 0 && set.poolMaxConnections == 40 && set.poolWaitSeconds == 2.5)
        let mistakes = [
            ("poolIdleSeconds", "-1", "a number of seconds from 0 to 86400"),
            ("poolIdleSeconds", "soon", "a number of seconds from 0 to 86400"),
            ("poolMaxConnections", "0", "a whole number from 1 to 1024"),
            ("poolMaxConnections", "1025", "a whole number from 1 to 1024"),
            ("poolMaxConnections", "8.5", "a whole number from 1 to 1024"),
            ("poolWaitSeconds", "3601", "a number of seconds from 0 to 3600"),
            ("poolWaitSeconds", "nan", "a number of seconds from 0 to 3600"),
        ]
        for (key, value, expected) in mistakes {
            let message = error("store:\n  url: postgres://cb@db/claims\n  \(key): \(value)")
            #expect(message.contains("delivery.yaml:3: error: store: \(key) must be \(expected)"), "\(message)")
        }
    }

    @Test("A store mistake is reported at its line, and a password never appears in the message")
    func mistakes() {
        #expect(
            error("store: postgres://cb:hunter2@db/claims").contains(
                "delivery.yaml:1: error: store: the store URL contains a password"))
        #expect(!error("store: postgres://cb:hunter2@db/claims").contains("hunter2"))
        #expect(
            error("store: mysql://cb@db/claims").contains(
                "delivery.yaml:1: error: store: the store URL must look like postgres://"))
        let literal = error("store:\n  url: postgres://cb@db/claims\n  passwordFrom: hunter2")
        #expect(
            literal.contains("error: store: the store password must be env:NAME or file:PATH")
                && !literal.contains("hunter2"))
        #expect(
            error("store:\n  url: postgres://cb@db/claims\n  sslmode: sometimes").contains(
                "delivery.yaml:3: error: store: sslmode sometimes is not one of"))
        #expect(error("store:\n  url: postgres://cb@db/claims\n  user: cb").contains("unknown key `user`"))
        #expect(
            error("store: postgres://cb@db/claims\noutbox: {path: outbox.sqlite}").contains(
                "delivery.yaml:2: error: outbox.path names an SQLite file"))
    }

    @Test("claimsbridge migrate brings the configured PostgreSQL database up to date, then finds nothing to do")
    func migrateCommand() throws {
        let store = OutboxStoreLocation.postgreSQL(try PostgreSQLTestServer.shared().newDatabase())
        let path = folder + "/migrate.yaml"
        try (store.configurationLines(options: "") + "\ndestinations:\n  archive: {type: folder, directory: out}\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let first = try CLIRun.run(["migrate", "--config", path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("applied 1, 2, 3, 4, 5; schema version 5"), "\(first.stdout)")
        let again = try CLIRun.run(["migrate", "--config", path])
        #expect(again.stdout.contains("up to date (schema version 5)"), "\(again.stdout)")
        let sqlite = try CLIRun.run(["migrate", "--config", try write("outbox: {path: outbox.sqlite}", "lite.yaml")])
        #expect(sqlite.status == 0 && sqlite.stdout.contains("SQLite outbox \(folder)/outbox.sqlite: up to date"))
        #expect(FileManager.default.fileExists(atPath: folder + "/outbox.sqlite"))
    }

    @Test(
        "claimsbridge migrate names the database and the password's secret, never the password, when it cannot log in")
    func migrateRefused() throws {
        let configuration = try PostgreSQLTestServer.shared().newDatabase()
        let wrong = folder + "/wrong-password"
        try "hunter2-wrong\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let path = try write(
            """
            store:
              url: postgres://cb@localhost/\(configuration.database)?host=\(configuration.host)
              passwordFrom: file:\(wrong)
            """, "refused.yaml")
        let result = try CLIRun.run(["migrate", "--config", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("file:\(wrong)") && !result.stderr.contains("hunter2"), "\(result.stderr)")
    }

    private func write(_ text: String, _ name: String) throws -> String {
        let path = folder + "/" + name
        try (text + "\ndestinations:\n  archive: {type: folder, directory: out}\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// Offices sharing one PostgreSQL database through `tenant:`.
@Suite("Delivery configuration: tenants")
struct TenantConfigurationTests {
    @Test("tenant: scopes the store; a bad name is an error at its line")
    func tenantSetting() throws {
        let folder = try makeScratchFolder("tenant-config")
        let path = folder + "/delivery.yaml"
        func load(_ tenant: String) throws -> DeliveryConfiguration {
            try """
                store:
                  url: postgres://cb@db.example/claims?sslmode=require
                  sslmode: verify-full
                  tenant: \(tenant)
                destinations:
                  archive: {type: folder, directory: out}

                """.write(toFile: path, atomically: true, encoding: .utf8)
            return try DeliveryConfiguration.load(path: path)
        }
        let north = try #require(try load("north_clinic").postgreSQL)
        #expect(north.tenant == "north_clinic" && north.sslMode == "verify-full")
        #expect(try load("north_clinic").outboxStore.description == "postgres://cb@db.example:5432/claims (tenant north_clinic)")
        let message = "\((#expect(throws: (any Error).self) { try load("North Clinic") })!)"
        #expect(message.contains("delivery.yaml:4") && message.contains("tenant North Clinic must be"), "\(message)")
    }

    @Test("Two offices' outboxes in one database: the same key twice, each office sees and sends only its own")
    func separateOutboxes() async throws {
        let database = try PostgreSQLTestServer.shared().newDatabase()
        var north = database
        var south = database
        try north.scope(toTenant: "north")
        try south.scope(toTenant: "south")
        let northOutbox = try Outbox(store: .postgreSQL(north))
        let southOutbox = try Outbox(store: .postgreSQL(south))
        let first = try northOutbox.enqueue(destination: "carrier", payload: [1, 2, 3], idempotencyKey: "claims-abc")
        let second = try southOutbox.enqueue(destination: "carrier", payload: [9, 9], idempotencyKey: "claims-abc")
        #expect(try northOutbox.payload(of: first) == [1, 2, 3])
        #expect(try southOutbox.payload(of: second) == [9, 9])
        #expect(try northOutbox.deliveries().map(\.idempotencyKey) == ["claims-abc"])
        #expect(try southOutbox.counts()[.pending] == 1)
        let transport = InMemoryTransport()
        let summary = try await southOutbox.deliverDue(transports: ["carrier": transport])
        #expect(summary.delivered.count == 1)
        #expect(Array(transport.received.values) == [[9, 9]])
        #expect(try northOutbox.counts()[.pending] == 1, "the other office's delivery is left alone")
    }
}
