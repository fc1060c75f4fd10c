import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// A broken rules file is refused when the mappings load, with `rules.yaml:LINE` and a reason.
@Suite struct CarrierRulesLoadingTests {
    /// Loads a copy of the v04 folder with `edit` applied to its rules file.
    func load(editing edit: (String) -> String) throws -> Result<CDAnetCatalog, BridgeError> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-rules-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Fixtures.mappings.appendingPathComponent("cdanet/v04"), to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("rules.yaml")
        try edit(try String(contentsOf: path, encoding: .utf8)).write(to: path, atomically: true, encoding: .utf8)
        do {
            return .success(try CDAnetCatalog(directory: folder.path))
        } catch let error as BridgeError {
            return .failure(error)
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var replace: String
        var with: String
        var says: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(
            name: "unknown field", replace: "{field: F11, letters: MOIDBLV}", with: "{field: F99, letters: MOIDBLV}",
            says: "the field F99 is not in the layout"),
        .init(
            name: "field without a code", replace: "  F11: \"038\"\n", with: "",
            says: "no CDAnet error code for F11"),
        .init(
            name: "unknown set", replace: "{field: F23, in: teeth}", with: "{field: F23, in: molars}",
            says: "there is no set `molars`"),
        .init(
            name: "range of unequal widths", replace: "{field: F29, in: [\"1-4\"]}",
            with: "{field: F29, in: [\"1-40\"]}", says: "not a value or a range of equal-width values"),
        .init(
            name: "misspelt key", replace: "{field: F11, letters: MOIDBLV}", with: "{field: F11, leters: MOIDBLV}",
            says: "unknown key `leters`"),
        .init(
            name: "two checks in one rule", replace: "{field: F11, letters: MOIDBLV}",
            with: "{field: F11, letters: MOIDBLV, required: true}", says: "exactly one of"),
        .init(
            name: "unknown list", replace: "\"08\": [header, primaryCoverage, eligibility]",
            with: "\"08\": [header, primaryCoverage, eligibilty]", says: "no list `eligibilty`"),
    ]

    @Test(arguments: cases)
    func refusesWithFileAndLine(_ expected: Case) throws {
        var found = false
        let result = try load { text in
            found = text.contains(expected.replace)
            return text.replacingOccurrences(of: expected.replace, with: expected.with)
        }
        #expect(found, "the case no longer matches rules.yaml")
        guard case .failure(let error) = result else {
            Issue.record("the broken rules file loaded")
            return
        }
        #expect(error.code == .invalidConfiguration)
        #expect(error.description.contains("rules.yaml:"), "\(error)")
        #expect(error.description.contains(expected.says), "\(error)")
    }

    @Test func theShippedRulesCoverTheClaimTransactions() throws {
        let catalog = Fixtures.catalog
        for (type, version) in [
            ("claim", "04"), ("predetermination", "04"), ("cobClaim", "04"), ("eligibilityRequest", "04"),
            ("claimReversal", "04"), ("claim", "02"), ("predetermination", "02"), ("eligibilityRequest", "02"),
        ] {
            let mapping = try #require(catalog.mapping(type: type, version: version))
            #expect(mapping.carrierRules != nil, "\(type) v\(version)")
        }
        let claim = try #require(catalog.mapping(type: "claim", version: "04")?.carrierRules)
        #expect(claim.coveredCodes.contains("152"))
        #expect(claim.checks.count > 60)
    }
}
