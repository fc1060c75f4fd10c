import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// RAMQ batches: claims → batch XML, batch XML → claims, and the round trips, against the golden files.
@Suite struct RAMQGoldenTests {
    static let batches = ["ramq/one-claim", "ramq/many-claims"]
    static let claimMapping = Result { try TreeTranslate.mapping("ramq/claim.mapping.yaml") }

    /// Compares with a golden file, or records it when `RECORD_SNAPSHOTS=1` (the run then fails).
    static func expectGolden(_ output: [UInt8], _ file: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let url = Fixtures.url(file)
        if Fixtures.isRecording {
            try Data(output).write(to: url)
            Issue.record("recorded \(file); review it and run again", sourceLocation: sourceLocation)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(String(decoding: output, as: UTF8.self) == expected, sourceLocation: sourceLocation)
    }

    @Test(arguments: batches)
    func claimsBecomeTheGoldenBatch(_ name: String) throws {
        let run = try TreeTranslate.write(
            try Fixtures.bytes(name + ".input.jsonl"), mapping: try Self.claimMapping.get(),
            parameters: ["batchDate": "2024-01-05"])
        #expect(run.rejects.isEmpty, "\(run.rejects.map(\.error.description))")
        try Self.expectGolden(run.output, name + ".xml")
    }

    @Test(arguments: batches)
    func batchReadsIntoGoldenClaims(_ name: String) throws {
        let run = try TreeTranslate.read(
            try Fixtures.bytes(name + ".xml"), mapping: try Self.claimMapping.get())
        #expect(run.rejects.isEmpty, "\(run.rejects.map(\.error.description))")
        try Self.expectGolden(run.output, name + ".expected.jsonl")
    }

    @Test(arguments: batches)
    func batchRoundTripsByteForByte(_ name: String) throws {
        let xml = try Fixtures.bytes(name + ".xml")
        let mapping = try Self.claimMapping.get()
        for chunkSize in [1, 7, 4096] {
            let claims = try TreeTranslate.read(xml, mapping: mapping, chunkSize: chunkSize)
            let back = try TreeTranslate.write(claims.output, mapping: mapping)
            #expect(back.rejects.isEmpty)
            #expect(back.output == xml, "chunk size \(chunkSize)")
        }
    }

    @Test func claimsRoundTripThroughTheBatch() throws {
        let mapping = try Self.claimMapping.get()
        let claims = try Fixtures.bytes("ramq/many-claims.expected.jsonl")
        let batch = try TreeTranslate.write(claims, mapping: mapping)
        let back = try TreeTranslate.read(batch.output, mapping: mapping)
        #expect(back.output == claims)
    }

    @Test func intendedValuesNotTheKnownDefects() throws {
        let xml = String(decoding: try Fixtures.bytes("ramq/one-claim.xml"), as: UTF8.self)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))  // one encoding, declared and used
        #expect(xml.contains("ATTES=\"4005101\""))  // 2024-01-05 is day 005 (not 357)
        #expect(xml.contains("TOT_DEM=\"022400\""))  // 125.50 + 48.50 + 50.00 in cents
        #expect(xml.contains("MNT=\"012550\""))
        #expect(xml.contains("SEXE=\"M\""))
        #expect(xml.contains("DENT=\"16\" SURF=\"MO\""))
        #expect(!xml.replacingOccurrences(of: "xmlns=\"\"", with: "").contains("=\"\""))  // no empty attributes
        #expect(!xml.contains("DENT=\"00\""))
    }

    @Test func attestationUsesTheGregorianDayOfYear() throws {
        #expect(CalendarDate(year: 2024, month: 1, day: 5)!.ordinalDay == 5)
        #expect(CalendarDate(year: 2024, month: 12, day: 31)!.ordinalDay == 366)
        #expect(CalendarDate(year: 2025, month: 3, day: 1)!.ordinalDay == 60)
    }

    /// The acceptance check: the bundled CDAnet claims, as model JSON, make a batch that passes the shipped XSD
    /// once each patient has the health-insurance number RAMQ requires (CDAnet claims carry none).
    @Test func bundledClaimFixturesMakeAValidBatch() throws {
        var claims: [UInt8] = []
        var count = 0
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("cdanet/v04").path).sorted()
        for name in names where name.hasSuffix(".expected.json") {
            let text = String(decoding: try Fixtures.bytes("cdanet/v04/" + name), as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("{\"schemaVersion\":1,\"type\":\"claim\",") {
                claims += Array(line.utf8) + [0x0A]
                count += 1
            }
        }
        #expect(count >= 3)
        let office = ["transmitter": "18001", "provider": "212345", "establishment": "12345"]
        let without = try TreeTranslate.write(claims, mapping: try Self.claimMapping.get(), parameters: office)
        #expect(without.summary.translated == 0)
        #expect(without.rejects.allSatisfy { $0.error.problems.map(\.rule) == ["RQ12"] })
        claims = Array(
            String(decoding: claims, as: UTF8.self).replacingOccurrences(
                of: "\"patient\":{", with: "\"patient\":{\"healthInsuranceNumber\":\"TEST10010112\","
            ).utf8)
        let run = try TreeTranslate.write(
            claims, mapping: try Self.claimMapping.get(),
            parameters: [
                "transmitter": "18001", "provider": "212345", "establishment": "12345", "batchDate": "2026-03-31",
            ])
        #expect(run.rejects.count == 0, "\(run.rejects.map(\.error.description))")
        #expect(run.summary.translated == count)
        let validator = try XMLSchemaValidator(path: Fixtures.mappings.appendingPathComponent("ramq/DP_DENTI.xsd").path)
        #expect(validator.validate(run.output).isEmpty)
        let text = String(decoding: run.output, as: UTF8.self)
        #expect(text.components(separatedBy: "<DP ").count - 1 == count)
    }

    /// A version 02 claim's lab fee has no lab procedure code, which every RAMQ ACTE line needs.
    @Test func aLabFeeWithoutItsCodeIsRefusedNotGuessed() throws {
        let run = try TreeTranslate.write(
            try Fixtures.bytes("cdanet/v02/01-claim-no-secondary.expected.json"), mapping: try Self.claimMapping.get(),
            parameters: ["transmitter": "18001", "provider": "212345", "establishment": "12345"])
        #expect(run.summary.translated == 0)
        #expect(run.rejects.first?.error.code == .carrierWouldReject)
        let problem = try #require(run.rejects.first?.error.problems.first { $0.rule == "RQ21" })
        #expect(problem.code == .missingValue)
        #expect(problem.modelPath == "procedures[0].labFees[0].code")
        #expect(problem.fieldID == "DP/ACTE[2]/@ACTE")
    }

    @Test func theSchemaRejectsWhatTheWriterMustNotProduce() throws {
        let validator = try XMLSchemaValidator(path: Fixtures.mappings.appendingPathComponent("ramq/DP_DENTI.xsd").path)
        let good = try Fixtures.bytes("ramq/one-claim.xml")
        #expect(validator.validate(good).isEmpty)
        let comma = String(decoding: good, as: UTF8.self).replacingOccurrences(
            of: "MNT=\"012550\"", with: "MNT=\"125,50\"")
        let issues = validator.validate(Array(comma.utf8))
        #expect(issues.count == 1)
        #expect(issues.first?.line == 5)
        #expect(issues.first?.message.contains("'MNT'") == true)
    }
}
