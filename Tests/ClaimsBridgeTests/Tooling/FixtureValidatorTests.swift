import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// `claimsbridge validate`: every shipped fixture passes; a wrong expectation fails by model path and field.
@Suite struct FixtureValidatorTests {
    @Test func everyShippedFixturePasses() {
        let validator = FixtureValidator(catalog: Fixtures.catalog)
        let fixtures = FixtureValidator.fixtures(in: Fixtures.url("").path)
        #expect(fixtures.count == 144)
        for fixture in fixtures {
            let result = validator.validate(fixture)
            #expect(result.passed, "\(fixture): \(result.problems)")
        }
    }

    func copyOfClaimFixture() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["01-claim-basic.txt", "01-claim-basic.expected.json"] {
            try FileManager.default.copyItem(
                at: Fixtures.url("cdanet/v04/\(name)"), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    @Test func aWrongExpectationFailsByPathAndField() throws {
        let folder = try copyOfClaimFixture()
        let expected = folder.appendingPathComponent("01-claim-basic.expected.json")
        let text = try String(contentsOf: expected, encoding: .utf8)
            .replacingOccurrences(of: "\"fee\":\"48.50\"", with: "\"fee\":\"48.00\"")
            .replacingOccurrences(of: "\"lastName\":\"Tremblay\"", with: "\"lastName\":\"Trembley\"")
        try text.write(to: expected, atomically: true, encoding: .utf8)
        let fixture = folder.appendingPathComponent("01-claim-basic.txt").path
        let result = FixtureValidator(catalog: Fixtures.catalog).validate(fixture)
        #expect(!result.passed)
        #expect(result.problems.contains("message 1: procedures[0].fee [F12]: expected \"48.00\", got \"48.50\""))
        #expect(
            result.problems.contains("message 1: patient.lastName [C06]: expected (personal data), got (personal data)")
        )
        #expect(!result.problems.joined().contains("Tremblay"))

        let updated = FixtureValidator(catalog: Fixtures.catalog).validate(fixture, update: true)
        #expect(updated.updated)
        #expect(FixtureValidator(catalog: Fixtures.catalog).validate(fixture).passed)
    }

    @Test func anInputThatNoLongerRoundTripsFails() throws {
        let folder = try copyOfClaimFixture()
        let input = folder.appendingPathComponent("01-claim-basic.txt")
        var bytes = Array(try Data(contentsOf: input))
        bytes[118] = UInt8(ascii: "M")  // C04 patient sex: was blank
        try Data(bytes).write(to: input)
        let result = FixtureValidator(catalog: Fixtures.catalog).validate(input.path)
        #expect(!result.passed)
        #expect(result.problems.contains { $0.contains("patient.sex [C04]") })
    }
}
