import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

/// `claimsbridge migrate --import-state`: a machine whose watcher ran on SQLite moves its ledger, counters and
/// outbox history into the PostgreSQL store, then carries on there.
@Suite("Migrate: importing a machine's SQLite ledger into PostgreSQL")
struct MigrateImportTests {
    let root: String
    let database: PostgreSQLConfiguration

    init() throws {
        root = try Fixtures.scratchFolder(
            "ledger-import", subfolders: ["claims", "replies", "claims-b", "out/carrier", "out/practice", "out/events"])
        var database = try PostgreSQLTestServer.shared().newDatabase()
        try database.scope(toTenant: "north")
        self.database = database
        try routes(name: "routes.yaml", state: "state", inbox: "claims", delivery: "delivery.yaml")
        try routes(name: "routes-b.yaml", state: "state-b", inbox: "claims-b", delivery: "delivery-pg.yaml")
        try delivery(name: "delivery.yaml", store: "outbox: {path: state/outbox.sqlite}")
        let password = database.password.map { "\n  passwordFrom: \($0)" } ?? ""
        try delivery(
            name: "delivery-pg.yaml",
            store: """
                store:
                  url: postgres://\(database.user)@localhost:\(database.port)/\(database.database)?host=\(database.host)\(password)
                  tenant: north
                outbox: {}
                """)
    }

    func delivery(name: String, store: String) throws {
        try """
        \(store)
        destinations:
          carrier: {type: folder, directory: out/carrier, namePattern: "{name}-{key}"}
          practice: {type: folder, directory: out/practice, namePattern: "{name}-{key}"}
          events: {type: folder, directory: out/events, namePattern: "{key}.json"}

        """.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
    }

    func routes(name: String, state: String, inbox: String, delivery: String) throws {
        try """
        state: \(state)
        delivery: \(delivery)
        mappings: \(Fixtures.mappings.path)
        statusEvents: events
        routes:
          - {name: claims, inbox: \(inbox), stableSeconds: 0, from: json, to: cdanet, deliver: [carrier]}
          - {name: replies, inbox: replies, stableSeconds: 0, from: cdanet, to: json, deliver: [practice]}

        """.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
    }

    /// Drops a claim without A02 and A09 (`fee` tells them apart), or the fixture as it is (A02 000101).
    func dropClaim(_ name: String, into inbox: String = "claims", fee: String? = nil) throws {
        var text = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
        if let fee {
            text = text.replacingOccurrences(of: "\"officeSequenceNumber\":\"000101\",", with: "")
                .replacingOccurrences(of: ",\"carrierTransactionCounter\":\"00101\"", with: "")
                .replacingOccurrences(of: "\"fee\":\"48.50\"", with: "\"fee\":\"\(fee)\"")
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/\(inbox)/.\(name)"))
        #expect(rename(root + "/\(inbox)/.\(name)", root + "/\(inbox)/\(name)") == 0)
    }

    func drain(_ routes: String = "routes.yaml", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try CommandRunner.run(["watch", "--config", root + "/" + routes, "--drain"])
        #expect(run.status == 0, "\(run.stderr)", sourceLocation: sourceLocation)
    }

    func importState(_ extra: [String] = []) throws -> CommandRunner.Result {
        try CommandRunner.run(
            ["migrate", "--config", root + "/delivery-pg.yaml", "--import-state", root + "/state"] + extra)
    }

    /// The machine's delivery configuration now names the store.
    func switchToStore() throws {
        try FileManager.default.removeItem(atPath: root + "/delivery.yaml")
        try FileManager.default.copyItem(atPath: root + "/delivery-pg.yaml", toPath: root + "/delivery.yaml")
    }

    /// The A02 of every claim delivered to the carrier.
    func deliveredOfficeNumbers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root + "/out/carrier").filter { !$0.hasPrefix(".") }.map {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: root + "/out/carrier/" + $0)))
            return String(decoding: bytes[12..<18], as: UTF8.self)
        }.sorted()
    }

    func query(_ sql: String) throws -> [[String?]] {
        try PostgreSQLDatabase(configuration: database).execute(sql).rows.map(\.values)
    }

    func count(_ table: String) throws -> Int { Int(try query("SELECT count(*) FROM \(table)")[0][0] ?? "") ?? -1 }

    @Test(
        "A machine moves its ledger: status, events and counters carry on in PostgreSQL; the next A02 follows the machine's"
    )
    func importThenCarryOn() throws {
        try dropClaim("known.jsonl")
        try dropClaim("first.jsonl", fee: "11.00")
        try dropClaim("second.jsonl", fee: "12.00")
        try drain()
        try Fixtures.bytes("cdanet/v04/11-claim-acknowledgement.txt").write(to: root + "/replies/ack.txt")
        try drain()
        #expect(try deliveredOfficeNumbers() == ["000001", "000002", "000101"])
        let before = try CommandRunner.run(["status", "--config", root + "/routes.yaml", "--claim", "000101"])

        let run = try importState()
        #expect(run.status == 0, "\(run.stderr)")
        let summary = run.stdoutText
        #expect(summary.contains("  files                 4"), "\(summary)")
        #expect(summary.contains("  messages              4"), "\(summary)")
        #expect(summary.contains("  outbox_delivery       8"), "3 claims, the answer, 4 events: \(summary)")
        #expect(summary.contains("  status_events         4"), "\(summary)")
        #expect(summary.contains("counter A02/0001: machine's last 2, store's none, now 2"), "\(summary)")
        #expect(summary.contains("counter A09/0001/000125: machine's last 2, store's none, now 2"), "\(summary)")
        #expect(!summary.contains("Tremblay") && !summary.contains("TR8830021"), "no patient data in the summary")
        #expect(try query("SELECT count(*) FROM tenant_north.files")[0][0] == "4", "in the tenant's schema")
        #expect(try query("SELECT to_regclass('public.files')")[0][0] == nil)

        try switchToStore()
        let status = try CommandRunner.run(["status", "--config", root + "/routes.yaml", "--claim", "000101"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdoutText == before.stdoutText, "the same chain and history from the store")
        #expect(status.stdoutText.contains("claimAcknowledgement  (answers message "), "\(status.stdoutText)")
        #expect(status.stdoutText.contains("submitted → rejected  applied, from message:4"), "\(status.stdoutText)")
        let events = try CommandRunner.run(["events", "list", "--config", root + "/routes.yaml"])
        let lines = events.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(
            lines.compactMap { $0["type"] as? String }.sorted() == ["claim.rejected"]
                + Array(repeating: "claim.submitted", count: 3))
        #expect(
            lines.allSatisfy { $0["delivery"] as? Int != nil }, "each event keeps its delivery: \(events.stdoutText)")

        // The same machine on the store: its next claim is numbered after the ones it gave out on SQLite.
        try dropClaim("third.jsonl", fee: "13.00")
        try drain()
        #expect(try deliveredOfficeNumbers() == ["000001", "000002", "000003", "000101"])
        #expect(try count("tenant_north.files") == 5)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root + "/out/events").count == 5, "nothing sent twice")

        // Again: refused by the ledger's record of the move, and a copy of it by the store's record.
        let again = try importState()
        #expect(again.status == 1)
        #expect(again.stderr.contains("was moved into PostgreSQL"), "\(again.stderr)")
        try FileManager.default.createDirectory(atPath: root + "/copy", withIntermediateDirectories: true)
        let copy = try SQLiteDatabase(path: root + "/copy/ledger.sqlite")
        try copy.execute("ATTACH DATABASE '\(root)/state/ledger.sqlite' AS source")
        let tables = try copy.prepare(
            "SELECT name FROM source.sqlite_master WHERE type = 'table' AND name <> 'moved_to_postgresql'"
        )
        .query([]) { $0.text(0) ?? "" }
        for table in tables { try copy.execute("CREATE TABLE main.\(table) AS SELECT * FROM source.\(table)") }
        try copy.execute("PRAGMA main.user_version = 4")
        let copied = try CommandRunner.run([
            "migrate", "--config", root + "/delivery-pg.yaml", "--import-state", root + "/copy",
            "--import-outbox", root + "/state/outbox.sqlite",
        ])
        #expect(copied.status == 1)
        #expect(copied.stderr.contains("already imported into the store"), "\(copied.stderr)")
        #expect(try count("tenant_north.files") == 5)
        #expect(try count("tenant_north.ledger_imports") == 1)
    }

    @Test(
        "Imported beside another machine's rows: both kept, counters at the larger; a failure half-way leaves the store as it was"
    )
    func importBesideAnotherMachine() throws {
        // Machine B works on the store from the start; machine A on SQLite.
        try dropClaim("b1.jsonl", into: "claims-b", fee: "21.00")
        try dropClaim("b2.jsonl", into: "claims-b", fee: "22.00")
        try drain("routes-b.yaml")
        for index in 1...3 { try dropClaim("a\(index).jsonl", fee: "3\(index).00") }
        try drain()
        #expect(try deliveredOfficeNumbers() == ["000001", "000001", "000002", "000002", "000003"])

        // A file of another machine at the path of A's last file: the import fails on it, after writing the rest.
        let ledger = try SQLiteDatabase(path: root + "/state/ledger.sqlite")
        let path = try #require(
            try ledger.prepare("SELECT path FROM files ORDER BY id DESC LIMIT 1").query([]) { $0.text(0) }.first)
        let store = try PostgreSQLDatabase(configuration: database)
        try store.execute(
            "INSERT INTO files (route, name, sha256, size, state, path, claimed_at) VALUES ('claims', 'x', 'x', 1, 'delivered', $1, 0)",
            [path])
        let tables = [
            "files", "messages", "state_transitions", "tracked_states", "status_events", "outbox_delivery",
            "sequence_allocations",
        ]
        let counts = try tables.map(count)
        let counters = try query("SELECT field, carrier, last_number FROM sequence_counters ORDER BY 1, 2")
        let failed = try importState()
        #expect(failed.status == 1)
        #expect(
            failed.stderr.contains("file 3 of the ledger has the same path as a file the store's ledger already has"),
            "\(failed.stderr)")
        #expect(failed.stderr.contains("nothing was imported"), "\(failed.stderr)")
        #expect(try tables.map(count) == counts)
        #expect(try query("SELECT field, carrier, last_number FROM sequence_counters ORDER BY 1, 2") == counters)
        #expect(try query("SELECT to_regclass('ledger_imports')")[0][0] == nil)

        try store.execute("DELETE FROM files WHERE path = $1", [path])
        let run = try importState()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdoutText.contains("counter A02/0001: machine's last 3, store's 2, now 3"), "\(run.stdoutText)")
        #expect(
            run.stdoutText.contains("(numbers moved up by 3)"),
            "files 1 and 2 of B, and the row removed: \(run.stdoutText)")
        #expect(try count("files") == 5)
        #expect(try count("tracked_states") == 5, "five claims, none merged with another")
        #expect(
            try query(
                "SELECT count(DISTINCT key) FROM status_events e JOIN state_transitions t ON t.id = e.transition_id")[
                    0][0] == "5")
        // Each claim key names its own request message in the store.
        let keys = try query(
            "SELECT key FROM tracked_states WHERE key <> ALL (SELECT 'message-' || id FROM messages WHERE is_request = 1)"
        )
        #expect(keys.isEmpty, "\(keys)")

        // Both machines go on with the store: numbers after the larger counter, never one given before.
        try switchToStore()
        try dropClaim("a4.jsonl", fee: "34.00")
        try drain()
        try dropClaim("b3.jsonl", into: "claims-b", fee: "23.00")
        try drain("routes-b.yaml")
        #expect(try deliveredOfficeNumbers() == ["000001", "000001", "000002", "000002", "000003", "000004", "000005"])
        let outbox = try query(
            "SELECT destination, count(*) FROM outbox_delivery WHERE state = 'delivered' GROUP BY 1 ORDER BY 1")
        // A's events 1 and 2 have the keys of B's (each machine numbered its own from 1): left out, counted.
        #expect(outbox == [["carrier", "7"], ["events", "5"]], "\(outbox)")
        #expect(
            run.stdoutText.contains("outbox_delivery       4 (2 already in the store, left out)"), "\(run.stdoutText)")
    }
}

extension [UInt8] {
    fileprivate func write(to path: String) throws {
        try Data(self).write(to: URL(fileURLWithPath: path))
    }
}
