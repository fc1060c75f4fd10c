import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Every golden JSON fixture decodes into the typed model and encodes back to the same JSON, key for key.
@Suite struct ModelFixtureTests {
    /// The package root: this file is Tests/ClaimsBridgeTests/Model/ModelFixtureTests.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every single-message `*.expected.json` under Fixtures/cdanet (its input is a `.txt`), as
    /// "v04/01-claim-basic.expected.json".
    static let fixtures: [String] = ["v04", "v02"].flatMap { folder in
        let directory = packageRoot.appendingPathComponent("Fixtures/cdanet/\(folder)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter {
            $0.hasSuffix(".expected.json")
                && FileManager.default.fileExists(
                    atPath: directory.appendingPathComponent(
                        $0.replacingOccurrences(of: ".expected.json", with: ".txt")
                    ).path)
        }.sorted().map { "\(folder)/\($0)" }
    }

    static func fixtureData(_ name: String) throws -> Data {
        try Data(contentsOf: packageRoot.appendingPathComponent("Fixtures/cdanet/\(name)"))
    }

    @Test func everyFixtureIsFound() {
        #expect(Self.fixtures.count >= 35)
        #expect(Self.fixtures.contains("v04/01-claim-basic.expected.json"))
        #expect(Self.fixtures.contains("v02/21-eob.expected.json"))
    }

    @Test(arguments: fixtures)
    func decodesAndEncodesWithoutLoss(_ fixture: String) throws {
        let original = try Self.fixtureData(fixture)
        let message = try JSONDecoder().decode(ModelMessage.self, from: original)
        let encoded = try JSONEncoder().encode(message)
        let expected = try JSONValue.parse(original)
        let actual = try JSONValue.parse(encoded)
        #expect(actual == expected, "\(actual.firstDifference(from: expected) ?? "")")
        // Decoding the re-encoded JSON gives the same value.
        #expect(try JSONDecoder().decode(ModelMessage.self, from: encoded) == message)
    }

    @Test(arguments: fixtures)
    func typeNameMatchesTheFixture(_ fixture: String) throws {
        let message = try JSONDecoder().decode(ModelMessage.self, from: try Self.fixtureData(fixture))
        guard case .object(let members) = try JSONValue.parse(try Self.fixtureData(fixture)) else {
            Issue.record("not an object")
            return
        }
        #expect(members["type"] == .string(message.typeName))
        #expect(members["schemaVersion"] == .number(1))
    }

    /// The JSON the Swift model writes is accepted by the CDAnet writer and gives back the original message.
    @Test(arguments: fixtures)
    func encodedModelWritesTheOriginalCDAnetBytes(_ fixture: String) throws {
        let message = try JSONDecoder().decode(ModelMessage.self, from: try Self.fixtureData(fixture))
        let line = Array(try JSONEncoder().encode(message)) + [UInt8(ascii: "\n")]
        let written = try Translate.json(line)
        #expect(written.rejects.isEmpty, "\(written.rejects.map { $0.error.description })")
        let original = try Fixtures.bytes("cdanet/" + fixture.replacingOccurrences(of: ".expected.json", with: ".txt"))
        #expect(written.output == original)
    }

    /// `ModelMessage.typeNames` is exactly the set of `type:` values of the shipped mappings.
    @Test func typeNamesMatchTheMappings() throws {
        var types: Set<String> = []
        for folder in ["v04", "v02"] {
            let directory = Self.packageRoot.appendingPathComponent("Mappings/cdanet/\(folder)")
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
            where name.hasSuffix(".mapping.yaml") {
                let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("type: ") {
                    types.insert(String(line.dropFirst("type: ".count)).trimmingCharacters(in: .whitespaces))
                }
            }
        }
        #expect(types == Set(ModelMessage.typeNames))
        #expect(ModelMessage.typeNames.count == 20)
    }

    @Test func embeddedMessagesAreTyped() throws {
        let cob = try JSONDecoder().decode(
            ModelMessage.self, from: try Self.fixtureData("v04/07-cob-claim.expected.json"))
        guard case .cobClaim(let claim) = cob, case .explanationOfBenefits(let eob)? = claim.primaryEOB else {
            Issue.record("expected a cobClaim with an explanationOfBenefits as primaryEOB")
            return
        }
        #expect(eob.totals.payable == Money(cents: 8900))
        #expect(eob.procedures.map(\.lineNumber) == [1, 2])

        let eobMaximal = try JSONDecoder().decode(
            ModelMessage.self, from: try Self.fixtureData("v04/21-eob-maximal.expected.json"))
        guard case .explanationOfBenefits(let outer) = eobMaximal,
            case .explanationOfBenefits(let inner)? = outer.embeddedTransaction
        else {
            Issue.record("expected an embedded explanationOfBenefits")
            return
        }
        #expect(outer.procedures[0].labs.count == 2)
        #expect(inner.notes.first?.output == .print)
    }

    @Test func typedValuesOfTheBasicClaim() throws {
        let message = try JSONDecoder().decode(
            ModelMessage.self, from: try Self.fixtureData("v04/01-claim-basic.expected.json"))
        guard case .claim(let claim) = message else {
            Issue.record("expected a claim")
            return
        }
        #expect(claim.routing.version == "04")
        #expect(claim.routing.encryptionMethod == EncryptionMethod.none)
        #expect(claim.providers.referring?.reason == ReferralReason.none)
        #expect(claim.patient.birthDate == CalendarDate(year: 1982, month: 6, day: 14))
        #expect(claim.subscriber?.address?.city == "Montréal")
        #expect(claim.coverage.primary.relationship == .`self`)
        #expect(claim.payee == .dentist)
        #expect(claim.prosthesis?.upper?.material == .notApplicable)
        #expect(claim.procedures.first?.fee == Money(cents: 4850))
        #expect(claim.procedures.first?.labFees.isEmpty == true)
        #expect(claim.extractedTeeth.isEmpty)
        #expect(message.routing.officeSequenceNumber == "000101")
    }
}
