import ClaimsBridgeTestSupport
import Foundation
import Testing

/// `claimsbridge check`, and the carrier rules in `translate`, run end to end.
@Suite struct CheckCommandTests {
    static let goodJSON: [UInt8] = (try? Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json")) ?? []
    static let badJSON: [UInt8] = (try? Fixtures.bytes("cdanet/invalid/carrier-074-service-date-future.json")) ?? []

    @Test func checkReportsEveryRefusedClaimAsJSON() throws {
        let result = try CommandRunner.run(
            ["check", "--from", "json", "--format", "json"], stdin: Self.goodJSON + Self.badJSON + Self.goodJSON)
        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stdoutText.split(separator: "\n")
        #expect(lines.count == 2)
        let reject = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(reject["messageNumber"] as? Int == 2)
        let problems = try #require(reject["problems"] as? [[String: Any]])
        #expect(problems.first?["cdanetCode"] as? String == "074")
        #expect(problems.first?["fieldId"] as? String == "F09")
        #expect(problems.first?["modelPath"] as? String == "procedures[0].serviceDate")
        #expect(problems.first?["code"] as? String == "dateInFuture")
        #expect(lines[1] == #"{"checked":3,"passed":2,"refused":1}"#)
    }

    @Test func checkPassesGoodCDAnetWithExitCode0() throws {
        let batch =
            try Fixtures.bytes("cdanet/v04/01-claim-basic.txt") + Fixtures.bytes("cdanet/v04/01-claim-maximal.txt")
        let result = try CommandRunner.run(["check", "--from", "cdanet"], stdin: batch)
        #expect(result.status == 0, "\(result.stdoutText)")
        #expect(result.stdoutText == "2 checked, 2 passed, 0 refused\n")
    }

    @Test func checkNamesTheCodeInText() throws {
        let result = try CommandRunner.run(
            ["check", "--from", "cdanet"], stdin: try Fixtures.bytes("cdanet/invalid/carrier-099-encryption-zero.txt"))
        #expect(result.status == 2)
        #expect(result.stdoutText.contains("field A10 (Encryption method)"))
        #expect(result.stdoutText.contains("(CDAnet error 099)"))
    }

    @Test func translateRefusesTheClaimAndWritesTheOthers() throws {
        let result = try CommandRunner.run(
            ["translate", "--from", "json", "--to", "cdanet"], stdin: Self.goodJSON + Self.badJSON)
        #expect(result.status == 2)
        #expect(result.stdout == (try Fixtures.bytes("cdanet/v04/01-claim-basic.txt")))
        #expect(result.stderr.contains("line 2"))
        #expect(result.stderr.contains("CDAnet error 074"))
    }

    @Test func lenientReadingWarnsAndTranslates() throws {
        let input = try Fixtures.bytes("cdanet/invalid/carrier-032-payee-zero.txt")
        let strict = try CommandRunner.run(["translate", "--from", "cdanet", "--to", "json"], stdin: input)
        #expect(strict.status == 2)
        #expect(strict.stdout.isEmpty)
        let lenient = try CommandRunner.run(
            ["translate", "--from", "cdanet", "--to", "json", "--lenient"], stdin: input)
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stdoutText.split(separator: "\n").count == 1)
        #expect(lenient.stderr.contains("warning: a carrier would reject this message"))
        #expect(lenient.stderr.contains("CDAnet error 032"))
    }
}
