import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// RAMQ's rules (Mappings/ramq/rules.yaml): each rule refuses its fixture, on writing or on reading, with its code.
@Suite struct RAMQRulesTests {
    static let mapping = Result { try TreeTranslate.mapping("ramq/claim.mapping.yaml") }
    static let invalid = Fixtures.url("ramq/invalid").path

    static var ruleCodes: [String] {
        (try? mapping.get().carrierRules?.codes) ?? []
    }

    @Test func everyRuleIsLoaded() throws {
        let rules = try #require(try Self.mapping.get().carrierRules)
        #expect(rules.codes.count == 28)
        #expect(rules.codes == (1...28).map { String(format: "RQ%02d", $0) })
    }

    /// The fixture `rqNN-*` of a rule is refused with that rule's code on the field its name says.
    @Test(arguments: ruleCodes)
    func eachRuleHasAFixtureRefusedWithItsCode(_ code: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.invalid)
        let prefix = code.lowercased() + "-"
        let fixture = try #require(
            names.first { $0.hasPrefix(prefix) && ($0.hasSuffix(".input.jsonl") || $0.hasSuffix(".xml")) },
            "no fixture for \(code)")
        let bytes = try Fixtures.bytes("ramq/invalid/" + fixture)
        let run =
            fixture.hasSuffix(".xml")
            ? try TreeTranslate.read(bytes, mapping: try Self.mapping.get())
            : try TreeTranslate.write(bytes, mapping: try Self.mapping.get(), parameters: ["batchDate": "2024-01-05"])
        #expect(run.summary.translated == 0)
        let reject = try #require(run.rejects.first)
        #expect(reject.error.code == .carrierWouldReject)
        #expect(reject.error.problems.contains { $0.rule == code }, "\(reject.error.description)")
        #expect(!String(decoding: run.output, as: UTF8.self).contains("<DP "))
    }

    @Test func allProblemsOfAClaimAreReportedTogether() throws {
        let good = String(decoding: try Fixtures.bytes("ramq/one-claim.input.jsonl"), as: UTF8.self)
        let bad = good.replacingOccurrences(of: "\"TREJ10010212\"", with: "\"TREJ1001021\"")
            .replacingOccurrences(of: "\"toothOrArea\":\"16\"", with: "\"toothOrArea\":\"19\"")
            .replacingOccurrences(of: "\"surfaces\":\"MO\"", with: "\"surfaces\":\"MM\"")
            .replacingOccurrences(of: "\"firstName\":\"Jean\",", with: "")
        let run = try TreeTranslate.write(
            Array((bad + good).utf8), mapping: try Self.mapping.get(), parameters: ["batchDate": "2024-01-05"])
        #expect(run.summary.translated == 1)
        let problems = try #require(run.rejects.first?.error.problems)
        #expect(problems.map(\.rule) == ["RQ13", "RQ14", "RQ26", "RQ27"])
        #expect(
            problems.map { $0.modelPath ?? "" } == [
                "patient.healthInsuranceNumber", "patient.firstName", "procedures[0].toothOrArea",
                "procedures[0].surfaces",
            ])
        #expect(run.rejects.first?.messageNumber == 1)
    }

    @Test func personalValuesAreShownOnlyWhenAskedFor() throws {
        let claim = try Fixtures.bytes("ramq/invalid/rq13-nam-invalid.input.jsonl")
        let hidden = try TreeTranslate.write(claim, mapping: try Self.mapping.get())
        let hiddenText = hidden.rejects.first?.error.description ?? ""
        #expect(hiddenText.contains("(rule RQ13)"))
        #expect(!hiddenText.contains("TREJ1001021"))
        var input = MemoryInput(claim)
        var output = MemoryOutput()
        var rejects: [RejectedMessage] = []
        _ = try TreeWritePipeline(mapping: try Self.mapping.get(), showPersonalData: true)
            .run(input: &input, output: &output) { rejects.append($0) }
        #expect(rejects.first?.error.reason.contains("\"TREJ1001021\"") == true)
    }

    /// A batch read with a date of service in the future: rejected by default; with `.warn` (`--lenient`)
    /// translated, and the rule reported as a warning, the value unchanged.
    @Test func readingRejectsOrWarns() throws {
        let batch = String(decoding: try Fixtures.bytes("ramq/one-claim.xml"), as: UTF8.self)
            .replacingOccurrences(of: "SERV=\"240105\"", with: "SERV=\"991231\"")
        let strict = try TreeTranslate.read(Array(batch.utf8), mapping: try Self.mapping.get())
        #expect(strict.summary.rejected == 1)
        #expect(strict.rejects.first?.error.problems.map(\.rule) == ["RQ09"])
        #expect(strict.rejects.first?.error.location.line == 3)

        var pipeline = try TreeReadPipeline(mapping: try Self.mapping.get())
        pipeline.carrierRules = .warn
        var warnings: [RejectedMessage] = []
        pipeline.onWarning = { warnings.append($0) }
        var input = MemoryInput(Array(batch.utf8))
        var output = MemoryOutput()
        var rejects: [RejectedMessage] = []
        let summary = try pipeline.run(input: &input, output: &output) { rejects.append($0) }
        #expect(summary.translated == 1 && rejects.isEmpty)
        #expect(warnings.first?.error.problems.map(\.rule) == ["RQ09"])
        #expect(String(decoding: output.bytes, as: UTF8.self).contains("\"serviceDate\":\"2099-12-31\""))
    }

    @Test func todayIsTheLocalDateOrTheFixedOne() throws {
        let batch = try Fixtures.bytes("ramq/one-claim.xml")
        var pipeline = try TreeReadPipeline(mapping: try Self.mapping.get())
        pipeline.fixedToday = 2024_01_04
        var input = MemoryInput(batch)
        var output = MemoryOutput()
        var rejects: [RejectedMessage] = []
        _ = try pipeline.run(input: &input, output: &output) { rejects.append($0) }
        #expect(rejects.first?.error.problems.map(\.rule) == ["RQ09"])
        pipeline.fixedToday = 2024_01_05
        rejects = []
        input = MemoryInput(batch)
        _ = try pipeline.run(input: &input, output: &output) { rejects.append($0) }
        #expect(rejects.isEmpty)
    }

    @Test(arguments: [
        ("{rule: RQ01, element: DP, attribute: NOPE, required: true, says: x}", "maps no attribute NOPE"),
        ("{rule: RQ01, element: NOPE, required: true, says: x}", "has no element NOPE"),
        ("{rule: RQ01, element: DP, attribute: SERV, required: true, minimum: 1, says: x}", "exactly one check"),
        ("{rule: RQ01, element: DP, attribute: SERV, notAfter: NOPE, says: x}", "maps no attribute NOPE"),
        ("{rule: RQ01, element: DP, attribute: SERV, in: [\"1-22\"], says: x}", "unequal length"),
    ])
    func brokenRulesAreRefusedWithTheirLine(_ rule: String, _ message: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ramq-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("rules.yaml").path
        try "rules: test\nchecks:\n  - \(rule)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: BridgeError.self) { try TreeRules.load(path: path, for: try Self.mapping.get()) }
        #expect(error?.reason.contains(message) == true, "\(error?.description ?? "")")
        #expect(error?.location.line == 3)
    }
}
