import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTestSupport
import Foundation
import Testing

@Suite("exchange and simulate-carrier commands")
struct ExchangeCommandTests {
    func configuration(port: Int, type: String = "carrier") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let destination = type == "carrier"
            ? "{type: carrier, url: \"http://127.0.0.1:\(port)/cdanet\", replyTimeoutSeconds: 60}"
            : "{type: folder, directory: out}"
        try "destinations:\n  sim: \(destination)\n".write(
            toFile: folder + "/delivery.yaml", atomically: true, encoding: .utf8)
        return folder + "/delivery.yaml"
    }

    @Test("A model JSON claim is translated, exchanged, and the carrier's EOB printed as model JSON")
    func claimThroughExchange() async throws {
        let table = try PlanTable.load(path: Fixtures.root.appendingPathComponent("Examples/simulator/plans.yaml").path)
        let simulator = CarrierSimulator(table: table, catalog: Fixtures.catalog)
        try await simulator.withRunning { port in
            let config = try configuration(port: port)
            let claim = Fixtures.url("cdanet/v04/01-claim-basic.expected.json").path
            let result = try await CommandRunner.runOffPool(["exchange", "--config", config, "--destination", "sim", "--input", claim])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdoutText.contains(#""type":"explanationOfBenefits""#))
            #expect(result.stdoutText.contains(#""officeSequenceNumber":"000101""#))
            #expect(result.stderr.contains("answered transaction 21"))
            let raw = try await CommandRunner.runOffPool(
                ["exchange", "--config", config, "--destination", "sim", "--reply-format", "cdanet"],
                stdin: try Fixtures.bytes("cdanet/v04/08-eligibility.txt"))
            #expect(raw.status == 0 && String(decoding: raw.stdout[20..<22], as: UTF8.self) == "18")
            let garbage = try await CommandRunner.runOffPool(
                ["exchange", "--config", config, "--destination", "sim", "--header", "X-Simulator-Behaviour: garbage"],
                stdin: try Fixtures.bytes("cdanet/v04/08-eligibility.txt"))
            #expect(garbage.status == 1 && garbage.stderr.contains("invalidReply"), "\(garbage.stderr)")
        }
    }

    @Test("exchange needs a carrier destination; simulate-carrier serves plain HTTP on loopback only")
    func refusals() throws {
        let folder = try CommandRunner.run(
            ["exchange", "--config", try configuration(port: 1, type: "folder"), "--destination", "sim"])
        #expect(folder.status == 64 && folder.stderr.contains("exchange needs type carrier"), "\(folder.stderr)")
        let plans = Fixtures.root.appendingPathComponent("Examples/simulator/plans.yaml").path
        let open = try CommandRunner.run(["simulate-carrier", "--plans", plans, "--listen", "0.0.0.0:0"])
        #expect(open.status == 64 && open.stderr.contains("plain HTTP is served on loopback only"), "\(open.stderr)")
    }
}
