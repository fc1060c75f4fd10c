import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("reconcile command")
struct ReconcileCommandTests {
    @Test(
        "reconcile --date asks the simulated carrier for that day's 06 pages and 05, applies them, and reports",
        arguments: StorageEngine.allCases)
    func reconcileByDate(_ engine: StorageEngine) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for sub in ["claims", "replies", "practice"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        let plans = """
            carrierId: "000125"
            reconciliationPageSize: 1
            plans:
              - {policy: GRP4471, deductible: "0.00", annualMaximum: "9000.00", coverage: {"0": 50, "1": 50, "2": 50}}
            """
        let claim = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
        for sequence in ["000401", "000402", "000403"] {
            try claim.replacingOccurrences(of: "\"000101\"", with: "\"\(sequence)\"")
                .write(toFile: "\(folder)/claims/\(sequence).jsonl", atomically: true, encoding: .utf8)
        }
        let store = try engine.deliveryStoreLines()
        let simulator = CarrierSimulator(table: try PlanTable.parse(yaml: plans), catalog: Fixtures.catalog)
        try await simulator.withRunning { port in
            try """
                \(store)
                destinations:
                  carrier: {type: carrier, url: "http://127.0.0.1:\(port)/cdanet", replyTimeoutSeconds: 60}
                  practice: {type: folder, directory: practice, namePattern: "{name}-{key}"}
                """.write(toFile: folder + "/delivery.yaml", atomically: true, encoding: .utf8)
            try """
                state: state
                delivery: delivery.yaml
                mappings: \(Fixtures.root.appendingPathComponent("Mappings").path)
                routes:
                  - {name: claims, inbox: claims, stableSeconds: 0, from: json, to: cdanet, deliver: [carrier], replies: replies}
                  - {name: replies, inbox: replies, stableSeconds: 0, from: cdanet, to: json, deliver: [practice]}
                reconciliations:
                  - name: sunlife
                    destination: carrier
                    replies: replies
                    transactionPrefix: ITRANS000001
                    softwareSystemId: CB1
                    carrierId: "000125"
                    provider: "123456789"
                    office: "0001"
                    everySeconds: 86400

                """.write(toFile: folder + "/routes.yaml", atomically: true, encoding: .utf8)
            let routes = folder + "/routes.yaml"
            // Send the claims; read their EOBs. (The first run also reconciles yesterday, which has nothing.)
            for _ in 0..<2 {
                let run = try await CommandRunner.runOffPool(["watch", "--config", routes, "--drain"])
                #expect(run.status == 0, "\(run.stderr)")
            }
            let before = try await CommandRunner.runOffPool(["reconcile", "--config", routes, "--unpaid-after-days", "0"])
            #expect(before.stdoutText.contains("\"paid\":[]"), "\(before.stdoutText)")
            let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
            let today = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            let result = try await CommandRunner.runOffPool(
                ["reconcile", "--config", routes, "--date", today, "--format", "csv", "--unpaid-after-days", "0"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("4 reconciliation answers received for \(today)"), "\(result.stderr)")
            let rows = result.stdoutText.split(separator: "\n").dropFirst()
            #expect(rows.count == 3, "\(result.stdoutText)")
            #expect(rows.allSatisfy { $0.hasPrefix("paid,") }, "\(result.stdoutText)")
            for sequence in ["000401", "000402", "000403"] {
                let status = try await CommandRunner.runOffPool(["status", "--config", routes, "--claim", sequence])
                #expect(status.stdoutText.contains("paid"), "\(status.stdoutText)")
            }
            let bad = try await CommandRunner.runOffPool(["reconcile", "--config", routes, "--date", "2026-13-01"])
            #expect(bad.status == 64 && bad.stderr.contains("--date must be a day"), "\(bad.stderr)")
        }
    }
}
