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
        #expect(count == 18)
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
}
