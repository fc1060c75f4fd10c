import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Foundation
import Testing

/// Two `claimsbridge watch` processes, each with a state folder of its own (as on two machines), watching one inbox
/// folder and sharing the outbox, the header numbers and the inbox claims through the PostgreSQL server the tests
/// start.
@Suite("Workers sharing one inbox through PostgreSQL")
struct SharedInboxTests {
    let root: String
    let database: PostgreSQLConfiguration

    init() throws {
        root = try Fixtures.scratchFolder("shared-inbox", subfolders: ["inbox", "out"])
        database = try PostgreSQLTestServer.shared().newDatabase()
        try PostgreSQLSchema.migrate(PostgreSQLDatabase(configuration: database))
        let password = database.password.map { "\n  passwordFrom: \($0)" } ?? ""
        try """
            store:
              url: postgres://\(database.user)@localhost:\(database.port)/\(database.database)?host=\(database.host)\(password)
            outbox: {leaseSeconds: 3, initialDelaySeconds: 1}
            destinations:
              carrier: {type: folder, directory: \(root)/out, namePattern: "{name}-{key}"}

            """.write(toFile: root + "/delivery.yaml", atomically: true, encoding: .utf8)
        for worker in ["a", "b"] {
            try """
                state: \(root)/state-\(worker)
                delivery: \(root)/delivery.yaml
                mappings: \(Fixtures.mappings.path)
                rescanSeconds: 1
                routes:
                  - name: claims
                    inbox: \(root)/inbox
                    pattern: "*.jsonl"
                    stableSeconds: 0
                    from: json
                    to: cdanet
                    deliver: carrier

                """.write(toFile: root + "/routes-\(worker).yaml", atomically: true, encoding: .utf8)
        }
    }

    /// Drops `count` claims without A02 and A09, each with a fee of its own.
    func dropClaims(_ count: Int) throws {
        let fixture = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"officeSequenceNumber\":\"000101\",", with: "")
            .replacingOccurrences(of: ",\"carrierTransactionCounter\":\"00101\"", with: "")
        for index in 0..<count {
            let text = fixture.replacingOccurrences(
                of: "\"fee\":\"48.50\"", with: "\"fee\":\"\(10 + index / 100).\(String(format: "%02d", index % 100))\"")
            let temporary = root + "/inbox/.c\(index).tmp"
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            #expect(rename(temporary, root + "/inbox/c\(index).jsonl") == 0)
        }
    }

    func start(_ worker: String, drain: Bool) throws -> Process {
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["watch", "--config", root + "/routes-\(worker).yaml"] + (drain ? ["--drain"] : [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logFile(worker)) ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    func logFile(_ worker: String) -> String {
        let path = root + "/\(worker).log"
        FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    func finish(_ process: Process, seconds: Double = 90) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func log(_ worker: String) -> String {
        (try? String(contentsOfFile: root + "/\(worker).log", encoding: .utf8)) ?? ""
    }

    func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// The A02 (bytes 12..<18 of a version 04 claim) of every file delivered.
    func deliveredOfficeNumbers() throws -> [String] {
        try files("out").map { name in
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: root + "/out/" + name)))
            return String(decoding: bytes[12..<18], as: UTF8.self)
        }.sorted()
    }

    func query(_ sql: String) throws -> [[String?]] {
        let result = try PostgreSQLDatabase(configuration: database).execute(sql)
        return result.rows.map(\.values)
    }

    @Test("Two watcher processes on one inbox: 80 files, each taken by one of them, numbered once and delivered once")
    func twoWorkersOneInbox() async throws {
        try dropClaims(80)
        let a = try start("a", drain: true)
        let b = try start("b", drain: true)
        let (statusA, statusB) = (try await finish(a), try await finish(b))
        #expect(statusA == 0, "\(log("a"))")
        #expect(statusB == 0, "\(log("b"))")
        #expect(!files("inbox").contains { $0.hasSuffix(".jsonl") } && files("inbox/processing").isEmpty)
        #expect(files("out").count == 80)
        // Numbered once each: a file processed twice would have taken numbers twice.
        #expect(try deliveredOfficeNumbers() == (1...80).map { String(format: "%06d", $0) })
        // The ledger both share records each file once, filed away.
        #expect(try query("SELECT count(*), count(DISTINCT name) FROM files WHERE finished_at IS NOT NULL") == [["80", "80"]])
        #expect(try query("SELECT count(*) FROM files") == [["80"]])
        #expect(try query("SELECT count(*) FROM deliveries") == [["80"]])
        let claims = try query("SELECT state, count(*) FROM inbox_claims GROUP BY state")
        #expect(claims == [["finished", "80"]])
        let workers = try query("SELECT worker, count(*) FROM inbox_claims GROUP BY worker")
        #expect(workers.count == 2, "both workers took files: \(workers)")
        #expect(try query("SELECT count(*) FROM outbox_delivery WHERE state = 'delivered'") == [["80"]])
    }

    @Test("A worker killed with SIGKILL holding a file: the other takes the file over once its lease ran out")
    func takeoverAfterKill() async throws {
        try dropClaims(60)
        let a = try start("a", drain: false)
        // Stop the worker while it holds a claim on a file it has not finished, then kill it.
        var held: [[String?]] = []
        let watching = try PostgreSQLDatabase(configuration: database)
        let deadline = Date().addingTimeInterval(60)
        while held.isEmpty && a.isRunning && Date() < deadline {
            if try !watching.execute("SELECT 1 FROM inbox_claims WHERE state = 'claimed'").rows.isEmpty {
                kill(a.processIdentifier, SIGSTOP)
                held = try watching.execute(
                    "SELECT route, name, size, modified_ns, lease_expires_at, token FROM inbox_claims WHERE state = 'claimed'"
                ).rows.map(\.values)
                if held.isEmpty { kill(a.processIdentifier, SIGCONT) }
            }
        }
        try #require(!held.isEmpty, "the worker was never seen holding a file: \(log("a"))")
        kill(a.processIdentifier, SIGKILL)
        a.waitUntilExit()
        let killedAt = Date().timeIntervalSince1970

        let b = try start("b", drain: true)
        #expect(try await finish(b) == 0, "\(log("b"))")
        #expect(!files("inbox").contains { $0.hasSuffix(".jsonl") } && files("inbox/processing").isEmpty)
        #expect(files("out").count == 60)
        #expect(try deliveredOfficeNumbers() == (1...60).map { String(format: "%06d", $0) })
        // One record per file in the shared ledger: the file taken over is carried on, not recorded again.
        #expect(try query("SELECT count(*), count(DISTINCT name) FROM files WHERE finished_at IS NOT NULL") == [["60", "60"]])
        #expect(try query("SELECT count(*) FROM files") == [["60"]])
        for row in held {
            let after = try query(
                "SELECT state, takeovers, claimed_at, token FROM inbox_claims WHERE route = '\(row[0]!)' AND name = '\(row[1]!)'"
                    + " AND size = \(row[2]!) AND modified_ns = \(row[3]!)")
            let taken = try #require(after.first)
            #expect(taken[0] == "finished" && taken[1] == "1", "\(taken)")
            // Not before the dead worker's lease ran out, and with a newer token.
            #expect(Double(taken[2]!)! >= Double(row[4]!)!, "taken at \(taken[2]!), lease until \(row[4]!)")
            #expect(Int(taken[3]!)! > Int(row[5]!)!)
        }
        #expect(Date().timeIntervalSince1970 - killedAt >= 1)

        // The killed worker, restarted, finds its file taken over and sends nothing again.
        let again = try start("a", drain: true)
        #expect(try await finish(again) == 0, "\(log("a"))")
        #expect(files("out").count == 60)
        #expect(try query("SELECT count(*) FROM outbox_delivery") == [["60"]])
        #expect(try query("SELECT count(*) FROM files") == [["60"]])
        #expect(try query("SELECT count(*) FROM deliveries") == [["60"]])
    }
}
