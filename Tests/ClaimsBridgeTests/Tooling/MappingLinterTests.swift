import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// `claimsbridge lint`: the shipped mappings are clean; each kind of mistake is found with file:line and a fix.
@Suite struct MappingLinterTests {
    @Test func shippedMappingsAreClean() {
        let findings = MappingLinter.lint(directory: Fixtures.mappings.path)
        #expect(findings.isEmpty, "\(findings.map(\.description))")
    }

    /// A copy of the v04 folder with `edit` applied to one file.
    func lintCopy(editing file: String, _ edit: (String) -> String) throws -> (findings: [LintFinding], folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-lint-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Fixtures.mappings.appendingPathComponent("cdanet/v04"), to: folder)
        let path = folder.appendingPathComponent(file)
        try edit(try String(contentsOf: path, encoding: .utf8)).write(to: path, atomically: true, encoding: .utf8)
        return (MappingLinter.lint(directory: folder.path), folder)
    }

    @Test func findsAnUnmappedField() throws {
        let (findings, folder) = try lintCopy(editing: "claim.mapping.yaml") {
            $0.replacingOccurrences(
                of: "  - {field: D11, path: coverage.primary.cardSequence, omitEmpty: true}\n", with: "")
        }
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.severity == .warning)
        #expect(finding.file == folder.appendingPathComponent("01-claim.layout.yaml").path)
        #expect(finding.line == 52)
        #expect(finding.message.contains("D11"))
        #expect(finding.fix?.contains("claim.mapping.yaml") == true)
    }

    @Test func findsWidthsThatDoNotAddUp() throws {
        let (findings, folder) = try lintCopy(editing: "02-claim-reversal.layout.yaml") {
            $0.replacingOccurrences(of: "fixedLength: 164", with: "fixedLength: 165")
        }
        #expect(
            findings.contains {
                $0.severity == .error && $0.file == folder.appendingPathComponent("02-claim-reversal.layout.yaml").path
                    && $0.line == 11 && $0.message.contains("add up to 164")
            })
    }

    @Test func findsACodeThatDoesNotFitItsField() throws {
        let (findings, _) = try lintCopy(editing: "codes.yaml") {
            $0.replacingOccurrences(of: "\"1\": self,", with: "\"1x\": self,")
        }
        #expect(findings.contains { $0.message.contains("code \"1x\" of table relationship is longer than C03") })
        #expect(findings.contains { $0.message.contains("E06") })
    }

    @Test func findsAMappingThatCannotWrite() throws {
        let (findings, folder) = try lintCopy(editing: "codes.yaml") {
            $0.replacingOccurrences(of: "\"4\": commonLawSpouse", with: "\"4\": spouse")
        }
        #expect(
            findings.contains {
                $0.severity == .error && $0.file == folder.appendingPathComponent("claim.mapping.yaml").path
                    && $0.line == 44 && $0.message.contains("cannot be used to write")
            })
    }

    @Test func aFileThatDoesNotLoadIsReportedAndTheOthersStillChecked() throws {
        let (findings, folder) = try lintCopy(editing: "claim.mapping.yaml") {
            $0.replacingOccurrences(
                of: "{field: C06, path: patient.lastName}", with: "{field: C99, path: patient.lastName}")
        }
        #expect(findings.count == 1)
        #expect(findings.first?.file == folder.appendingPathComponent("claim.mapping.yaml").path)
        #expect(findings.first?.message.contains("C99") == true)
    }
}
