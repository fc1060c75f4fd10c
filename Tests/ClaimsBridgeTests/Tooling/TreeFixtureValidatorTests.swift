import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// `claimsbridge validate` on XML and partner JSON fixtures.
@Suite struct TreeFixtureValidatorTests {
    @Test func shippedSuitesPass() throws {
        let suites = TreeFixtureValidator.suites(in: Fixtures.root.appendingPathComponent("Fixtures").path)
        #expect(suites.count == 5)
        var count = 0
        for suite in suites {
            for result in try TreeFixtureValidator(suite: suite, mappingsFolder: Fixtures.mappings.path).validate() {
                #expect(result.passed, "\(result.fixture): \(result.problems)")
                count += 1
            }
        }
        #expect(count == 46)
    }

    @Test func aDifferenceFailsWithItsLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-fixtures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["fixtures.yaml", "many-claims.xml", "many-claims.expected.jsonl"] {
            try FileManager.default.copyItem(
                at: Fixtures.url("ramq/" + name), to: folder.appendingPathComponent(name))
        }
        let expected = folder.appendingPathComponent("many-claims.expected.jsonl")
        let text = try String(contentsOf: expected, encoding: .utf8)
        try text.replacingOccurrences(of: "\"Hélène\"", with: "\"Helene\"").write(
            to: expected, atomically: true, encoding: .utf8)
        let validator = try TreeFixtureValidator(
            suite: folder.appendingPathComponent("fixtures.yaml").path, mappingsFolder: Fixtures.mappings.path)
        let results = validator.validate()
        #expect(results.count == 1)
        #expect(results.first?.passed == false)
        #expect(results.first?.problems.first == "reading differs from many-claims.expected.jsonl from line 2")
        let updated = validator.validate(update: true)
        #expect(updated.first?.updated == true)
        #expect(try String(contentsOf: expected, encoding: .utf8) == text)
    }

    /// `invalid/NAME.input.jsonl` without a document: claims that writing must refuse with exactly the
    /// expected errors; a claim that is written instead fails the fixture.
    @Test func aRefusalFixtureFailsWhenTheClaimIsWritten() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-fixtures-\(UUID().uuidString)")
        let invalid = folder.appendingPathComponent("invalid")
        try FileManager.default.createDirectory(at: invalid, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: Fixtures.url("ramq/fixtures.yaml"), to: folder.appendingPathComponent("fixtures.yaml"))
        for name in ["rq12-nam-missing.input.jsonl", "rq12-nam-missing.expected-errors.jsonl"] {
            try FileManager.default.copyItem(
                at: Fixtures.url("ramq/invalid/" + name), to: invalid.appendingPathComponent(name))
        }
        let validator = try TreeFixtureValidator(
            suite: folder.appendingPathComponent("fixtures.yaml").path, mappingsFolder: Fixtures.mappings.path)
        #expect(validator.validate().map(\.passed) == [true])
        try FileManager.default.removeItem(at: invalid.appendingPathComponent("rq12-nam-missing.input.jsonl"))
        try FileManager.default.copyItem(
            at: Fixtures.url("ramq/one-claim.input.jsonl"),
            to: invalid.appendingPathComponent("rq12-nam-missing.input.jsonl"))
        let results = validator.validate()
        #expect(results.map(\.passed) == [false])
        #expect(results.first?.problems == ["the rejects differ from rq12-nam-missing.expected-errors.jsonl"])
    }
}
