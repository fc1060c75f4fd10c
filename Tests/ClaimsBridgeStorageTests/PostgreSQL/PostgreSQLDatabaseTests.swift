import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("PostgreSQL database")
struct PostgreSQLDatabaseTests {
    @Test("Text parameters go in and rows come back, NULL as nil")
    func parameters() throws {
        let database = try PostgreSQLTesting().connect()
        try database.execute("CREATE TABLE item (id serial PRIMARY KEY, name text, count integer)")
        let inserted = try database.execute(
            "INSERT INTO item (name, count) VALUES ($1, $2), ($3, $4)", ["crown; DROP TABLE item", "3", nil, "4"])
        #expect(inserted.affectedRows == 2)
        let rows = try database.execute("SELECT name, count FROM item ORDER BY id").rows
        #expect(rows.count == 2)
        #expect(rows[0].text(0) == "crown; DROP TABLE item")
        #expect(try rows[0].int(1) == 3)
        #expect(rows[1].text(0) == nil)
    }

    @Test("A store URL is read into its parts; a password in it or a literal password is refused")
    func urls() throws {
        let configuration = try PostgreSQLConfiguration(
            url: "postgres://claims@db.example:6543/ledger?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            password: "env:DB_PASSWORD")
        #expect(configuration.host == "db.example" && configuration.port == 6543)
        #expect(configuration.user == "claims" && configuration.database == "ledger")
        #expect(configuration.sslMode == "verify-full" && configuration.sslRootCertificateFile == "/etc/ca.pem")
        #expect(configuration.password == .environment("DB_PASSWORD"))
        let socket = try PostgreSQLConfiguration(url: "postgresql://cb@localhost/db?host=/run/postgresql")
        #expect(socket.host == "/run/postgresql" && socket.port == 5432)
        for (url, password, words) in [
            ("postgres://claims:hunter2@db/ledger", nil, "contains a password"),
            ("postgres://claims@db/ledger", "hunter2", "env:NAME or file:PATH"),
            ("postgres://claims@db/ledger?sslmode=sometimes", nil, "sslmode sometimes"),
            ("postgres://claims@db/ledger?sslcert=x", nil, "unknown option sslcert"),
            ("postgres://db/ledger", nil, "no user"),
            ("mysql://claims@db/ledger", nil, "postgres://"),
        ] {
            let error = #expect(throws: PostgreSQLError.self) {
                try PostgreSQLConfiguration(url: url, password: password)
            }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.description.contains(words) == true, "\(error.map(String.init(describing:)) ?? "")")
            #expect(error?.description.contains("hunter2") == false)
        }
    }

    @Test("sslmode and the root CA file reach libpq (TLS itself is never used on a Unix socket)")
    func tlsOptions() throws {
        var configuration = try PostgreSQLTesting().configuration
        configuration.sslMode = "verify-full"
        configuration.sslRootCertificateFile = "/etc/claimsbridge/db-ca.pem"
        let options = try PostgreSQLDatabase(configuration: configuration).effectiveOptions
        #expect(options["sslmode"] == "verify-full")
        #expect(options["sslrootcert"] == "/etc/claimsbridge/db-ca.pem")
        #expect(options["password"] == nil)
    }

    @Test("A wrong or missing password is a login refusal naming the secret, never its value")
    func wrongPassword() throws {
        var configuration = try PostgreSQLTesting().configuration
        let wrong = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)")
        try Data("not-the-password-4711\n".utf8).write(to: wrong)
        defer { try? FileManager.default.removeItem(at: wrong) }
        configuration.password = .file(wrong.path)
        let refused = #expect(throws: PostgreSQLError.self) { try PostgreSQLDatabase(configuration: configuration) }
        #expect(refused?.code == .loginRefused && refused?.isRetryable == false)
        #expect(refused?.description.contains("file:\(wrong.path)") == true)
        #expect(refused?.description.contains("not-the-password-4711") == false)

        configuration.password = .environment("CLAIMSBRIDGE_TEST_UNSET_\(UUID().uuidString.prefix(8))")
        let unset = #expect(throws: PostgreSQLError.self) { try PostgreSQLDatabase(configuration: configuration) }
        #expect(unset?.code == .invalidConfiguration)
        #expect(unset?.description.contains("env:CLAIMSBRIDGE_TEST_UNSET_") == true)

        configuration.password = nil
        let missing = #expect(throws: PostgreSQLError.self) { try PostgreSQLDatabase(configuration: configuration) }
        #expect(missing?.code == .loginRefused)
    }

    @Test("Errors carry the SQLSTATE and constraint but no values")
    func errorsWithoutValues() throws {
        let database = try PostgreSQLTesting().connect()
        try database.execute("CREATE TABLE patient (health_number text PRIMARY KEY, age integer)")
        try database.execute("INSERT INTO patient VALUES ($1, $2)", ["SECRET-1234", "40"])
        let duplicate = #expect(throws: PostgreSQLError.self) {
            try database.execute("INSERT INTO patient VALUES ($1, $2)", ["SECRET-1234", "41"])
        }
        #expect(duplicate?.code == .uniqueViolation && duplicate?.sqlState == "23505")
        #expect(duplicate?.description.contains("patient_pkey") == true)
        #expect(duplicate?.description.contains("SECRET-1234") == false)
        let badNumber = #expect(throws: PostgreSQLError.self) {
            try database.execute("INSERT INTO patient VALUES ($1, $2)", ["X", "SECRET-forty"])
        }
        #expect(badNumber?.sqlState == "22P02" && badNumber?.code == .statementFailed)
        #expect(badNumber?.description.contains("SECRET") == false)
        let syntax = #expect(throws: PostgreSQLError.self) { try database.execute("SELEC 1") }
        #expect(syntax?.sqlState == "42601")
    }

    @Test("A transaction commits when its body returns and rolls back when it throws")
    func transactions() throws {
        let database = try PostgreSQLTesting().connect()
        try database.execute("CREATE TABLE item (name text)")
        try database.transaction { try database.execute("INSERT INTO item VALUES ('kept')") }
        #expect(throws: PostgreSQLError.self) {
            try database.transaction {
                try database.execute("INSERT INTO item VALUES ('dropped')")
                try database.execute("SELECT 1/0")
            }
        }
        #expect(try database.execute("SELECT name FROM item").rows.map { $0.text(0) } == ["kept"])
    }

    @Test("Two SERIALIZABLE transactions that conflict: the second to commit fails as retryable, and a retry succeeds")
    func serializable() throws {
        let testing = try PostgreSQLTesting()
        let first = try testing.connect()
        let second = try testing.connect()
        try first.execute("CREATE TABLE duty (doctor text, on_call boolean)")
        try first.execute("INSERT INTO duty VALUES ('a', true), ('b', true)")
        let takeOff =
            "UPDATE duty SET on_call = false WHERE doctor = $1 AND (SELECT count(*) FROM duty WHERE on_call) > 1"
        let conflict = #expect(throws: PostgreSQLError.self) {
            try first.transaction(isolation: .serializable) {
                try first.execute("SELECT count(*) FROM duty WHERE on_call")
                try second.transaction(isolation: .serializable) {
                    try second.execute("SELECT count(*) FROM duty WHERE on_call")
                    try first.execute(takeOff, ["a"])
                    try second.execute(takeOff, ["b"])
                }
            }
        }
        #expect(conflict?.code == .serializationFailure && conflict?.isRetryable == true)
        #expect(conflict?.sqlState == "40001")
        try first.retryingTransaction(isolation: .serializable) { try first.execute(takeOff, ["a"]) }
        #expect(try first.execute("SELECT count(*) FROM duty WHERE on_call").rows[0].int(0) == 1)
    }

    @Test("FOR UPDATE SKIP LOCKED: two connections claim disjoint rows, and a released row is claimed again")
    func skipLocked() throws {
        let testing = try PostgreSQLTesting()
        let first = try testing.connect()
        let second = try testing.connect()
        try first.execute("CREATE TABLE job (id integer PRIMARY KEY, done_by text)")
        try first.execute("INSERT INTO job SELECT n, NULL FROM generate_series(1, 6) n")
        let claim = "SELECT id FROM job WHERE done_by IS NULL ORDER BY id LIMIT 3 FOR UPDATE SKIP LOCKED"
        let (claimedFirst, claimedSecond) = try first.transaction {
            let mine = try first.execute(claim).rows.map { try $0.int(0) }
            let theirs = try second.transaction { try second.execute(claim).rows.map { try $0.int(0) } }
            return (mine, theirs)
        }
        #expect(claimedFirst == [1, 2, 3])
        #expect(claimedSecond == [4, 5, 6])
        let again = try second.transaction { try second.execute(claim).rows.map { try $0.int(0) } }
        #expect(again == [1, 2, 3])
    }

    @Test("Many connections claiming rows at once each get their own: every row done exactly once")
    func skipLockedOnThreads() throws {
        let testing = try PostgreSQLTesting()
        try testing.connect().execute("CREATE TABLE job (id integer PRIMARY KEY, done_by text)")
        try testing.connect().execute("INSERT INTO job SELECT n, NULL FROM generate_series(1, 400) n")
        let done = try onThreads(4) { worker in
            let database = try testing.connect()
            var count = 0
            while true {
                let claimed = try database.transaction {
                    let ids = try database.execute(
                        "SELECT id FROM job WHERE done_by IS NULL ORDER BY id LIMIT 5 FOR UPDATE SKIP LOCKED"
                    ).rows.compactMap { $0.text(0) }
                    for id in ids {
                        try database.execute("UPDATE job SET done_by = $1 WHERE id = $2", [String(worker), id])
                    }
                    return ids.count
                }
                if claimed == 0 { return count }
                count += claimed
            }
        }
        #expect(done.reduce(0, +) == 400)
        let database = try testing.connect()
        #expect(try database.execute("SELECT count(*) FROM job WHERE done_by IS NULL").rows[0].int(0) == 0)
    }
}
