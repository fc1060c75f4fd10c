import ClaimsBridgeTestSupport
import Foundation
import Testing

/// `claimsbridge translate` with RAMQ batches, XML and partner JSON, end to end through the built binary.
@Suite struct RAMQCommandTests {
    static let office = [
        "--param", "transmitter=18001", "--param", "provider=212345", "--param", "establishment=12345",
    ]

    @Test func claimsBecomeABatchAndComeBack() throws {
        let claims = try Fixtures.bytes("ramq/many-claims.input.jsonl")
        let batch = try CommandRunner.run(
            ["translate", "--from", "json", "--to", "ramq", "--param", "batchDate=2026-03-31"] + Self.office,
            stdin: claims)
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(batch.stdoutText.components(separatedBy: "<DP ").count == 5)
        #expect(batch.stdoutText.contains("ATTES=\"6090201\""))
        let back = try CommandRunner.run(["translate", "--from", "ramq", "--to", "json"], stdin: batch.stdout)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stdoutText.split(separator: "\n").count == 4)
        #expect(back.stdoutText.contains("\"lastName\":\"Côté\""))
    }

    /// CDAnet claims carry no RAMQ health-insurance number: RAMQ would refuse them, so nothing is written.
    @Test func claimsWithoutAHealthInsuranceNumberAreRefused() throws {
        let claims = try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("cb-ramq-\(UUID().uuidString).jsonl")
        let result = try CommandRunner.run(
            ["translate", "--from", "json", "--to", "ramq", "--errors", errors.path] + Self.office, stdin: claims)
        #expect(result.status == 2)
        #expect(!result.stdoutText.contains("<DP "))
        #expect(result.stderr.contains("health-insurance number (NAM) is missing"))
        let saved = try String(contentsOf: errors, encoding: .utf8)
        #expect(
            saved.contains(
                "\"problems\":[{\"code\":\"missingValue\",\"rule\":\"RQ12\",\"fieldId\":\"DP/PERS_ASSU[1]/@NAM\""))
        let checked = try CommandRunner.run(
            ["check", "--from", "json", "--to", "ramq", "--format", "json"] + Self.office, stdin: claims)
        #expect(checked.status == 2)
        #expect(checked.stdoutText.contains("\"rule\":\"RQ12\""))
        #expect(checked.stdoutText.hasSuffix("{\"checked\":1,\"passed\":0,\"refused\":1}\n"))
    }

    @Test func zipOption() throws {
        let claims = try Fixtures.bytes("ramq/one-claim.input.jsonl")
        let zipped = try CommandRunner.run(
            ["translate", "--from", "json", "--to", "ramq", "--zip", "--param", "batchDate=2024-01-05"], stdin: claims)
        #expect(zipped.status == 0, "\(zipped.stderr)")
        #expect(Array(zipped.stdout.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
        let name = Array("claims20240105.xml".utf8)
        #expect(Array(zipped.stdout[30..<(30 + name.count)]) == name)
        let batch = try Fixtures.bytes("ramq/one-claim.xml")
        #expect(Array(zipped.stdout[(30 + name.count)..<(30 + name.count + batch.count)]) == batch)
    }

    @Test func badClaimsAreReportedWithoutPersonalData() throws {
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("cb-ramq-\(UUID().uuidString).jsonl")
        let result = try CommandRunner.run([
            "translate", "--from", "ramq", "--to", "json", "--input", "Fixtures/ramq/invalid/schema-violations.xml",
            "--errors", errors.path,
        ])
        #expect(result.status == 2)
        #expect(result.stdoutText.split(separator: "\n").count == 1)
        #expect(
            result.stderr.contains(
                "record 2, byte 339, line 8, DP/PERS_ASSU[1]/@NAM, model path patient.healthInsuranceNumber: error: refused: a carrier would reject this claim: the health-insurance number must be 4 capital letters"
            ))
        #expect(result.stderr.contains("5 messages read, 1 translated, 4 rejected"))
        #expect(!result.stderr.contains("TREJ1001021"))
        let saved = try String(contentsOf: errors, encoding: .utf8)
        #expect(saved.split(separator: "\n").count == 4)
        #expect(!saved.contains("TREJ1001021"))
        let shown = try CommandRunner.run([
            "translate", "--from", "ramq", "--to", "json", "--input", "Fixtures/ramq/invalid/schema-violations.xml",
            "--show-personal-data",
        ])
        #expect(shown.stderr.contains("the health-insurance number \"TREJ1001021\" must be"))
    }

    @Test func missingOfficeNumbersSayHowToGiveThem() throws {
        let claims = try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")
        let result = try CommandRunner.run(["translate", "--from", "json", "--to", "ramq"], stdin: claims)
        #expect(result.status == 2)
        #expect(
            result.stderr.contains(
                "stdin, line 1, byte 0, DP/@TRNSM, model path ramq.transmitter: error: refused: a carrier would reject this claim for 4 reasons:"
            ))
        #expect(
            result.stderr.contains(
                "the transmitter number is missing (ramq.transmitter, or --param transmitter=NNNNN) (rule RQ01)"))
        #expect(result.stderr.contains("or --param provider=NNNNNN) (rule RQ03)"))
        #expect(result.stderr.contains("or --param establishment=NNNNN) (rule RQ06)"))
        #expect(result.stdoutText.hasSuffix("<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">\n</DP_RACIN>\n"))
    }

    @Test func responseReadsIntoJSON() throws {
        let result = try CommandRunner.run(
            ["translate", "--from", "ramq-response", "--to", "json", "--input", "Fixtures/ramq/response/accepted.xml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdoutText.hasPrefix(
                "{\"schemaVersion\":1,\"type\":\"ramqBatchResponse\",\"batch\":{\"transmitter\":\"18001\",\"status\":\"accepted\""
            ))
        #expect(
            result.stdoutText.contains(
                "{\"attestation\":\"6090102\",\"status\":\"refused\",\"claimedAmount\":\"9115.30\",\"paidAmount\":\"0.00\""
            ))
    }

    @Test func genericXMLWithAMappingFileIsTheSameAsTheBundledFormat() throws {
        let batch = try Fixtures.bytes("ramq/many-claims.xml")
        let bundled = try CommandRunner.run(["translate", "--from", "ramq", "--to", "json"], stdin: batch)
        let generic = try CommandRunner.run(
            ["translate", "--from", "xml", "--to", "json", "--mapping", "Mappings/ramq/claim.mapping.yaml"],
            stdin: batch)
        #expect(generic.status == 0, "\(generic.stderr)")
        #expect(generic.stdout == bundled.stdout)
        let compact = try CommandRunner.run(
            [
                "translate", "--from", "json", "--to", "xml", "--mapping", "Mappings/ramq/claim.mapping.yaml",
                "--compact",
            ],
            stdin: generic.stdout)
        #expect(compact.status == 0, "\(compact.stderr)")
        #expect(compact.stdoutText.split(separator: "\n").count == 2)  // declaration, then the whole batch
        let back = try CommandRunner.run(["translate", "--from", "ramq", "--to", "json"], stdin: compact.stdout)
        #expect(back.stdout == bundled.stdout)
    }

    @Test func genericFormatsNeedAMapping() throws {
        let result = try CommandRunner.run(["translate", "--from", "xml", "--to", "json"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("needs --mapping FILE"))
        let partner = try CommandRunner.run([
            "translate", "--from", "partner-json", "--to", "json", "--mapping",
            "Mappings/partners/example-claim.mapping.yaml", "--input", "Fixtures/partners/example-claims.jsonl",
        ])
        #expect(partner.status == 0, "\(partner.stderr)")
        #expect(partner.stdout == (try Fixtures.bytes("partners/example-claims.expected.jsonl")))
    }
}
