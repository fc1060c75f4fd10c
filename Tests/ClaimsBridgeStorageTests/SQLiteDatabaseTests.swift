import ClaimsBridgeStorage
import Foundation
import Testing

@Suite("SQLite database")
struct SQLiteDatabaseTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func open() throws -> SQLiteDatabase {
        try SQLiteDatabase(path: directory.appendingPathComponent("test.sqlite").path)
    }

    @Test("Rows written in one connection are read back in another, with every value type")
    func roundTrip() throws {
        do {
            let database = try open()
            try database.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, data BLOB)")
            try database.prepare("INSERT INTO item (name, score, data) VALUES (?, ?, ?)")
                .run([.text("crown"), .real(1.5), .blob([0, 255, 7])])
            #expect(database.lastInsertRowID == 1)
        }
        let database = try open()
        let rows = try database.prepare("SELECT id, name, score, data FROM item").query { row in
            (row.int(0), row.text(1), row.double(2), row.blob(3))
        }
        #expect(rows.count == 1)
        #expect(rows[0].0 == 1 && rows[0].1 == "crown" && rows[0].2 == 1.5 && rows[0].3 == [0, 255, 7])
    }

    @Test("A duplicate unique key is reported as a constraint violation")
    func uniqueKey() throws {
        let database = try open()
        try database.execute("CREATE TABLE item (key TEXT UNIQUE)")
        let insert = try database.prepare("INSERT INTO item (key) VALUES (?)")
        try insert.run([.text("a")])
        let error = #expect(throws: SQLiteError.self) { try insert.run([.text("a")]) }
        #expect(error?.isConstraintViolation == true)
    }

    @Test("A transaction that throws leaves nothing behind")
    func rollback() throws {
        struct Abandon: Error {}
        let database = try open()
        try database.execute("CREATE TABLE item (key TEXT)")
        #expect(throws: Abandon.self) {
            try database.transaction { () throws(Abandon) in
                try? database.prepare("INSERT INTO item VALUES ('x')").run()
                throw Abandon()
            }
        }
        let count = try database.prepare("SELECT count(*) FROM item").query { $0.int(0) }
        #expect(count == [0])
        #expect(try database.prepare("PRAGMA journal_mode").query { $0.text(0) } == ["wal"])
    }
}
