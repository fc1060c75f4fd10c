import Foundation
import Testing

@testable import ClaimsBridge

/// The `type` / `schemaVersion` envelope, and named enumerations that tolerate new names.
@Suite struct ModelMessageTests {
    static let minimalEmail = #"{"officeNumber":"0001","routing":{"officeSequenceNumber":"000130","version":"04"}}"#

    func decode(_ json: String) throws -> ModelMessage {
        try JSONDecoder().decode(ModelMessage.self, from: Data(json.utf8))
    }

    @Test func decodesAMinimalMessage() throws {
        let message = try decode(#"{"schemaVersion":1,"type":"email","# + Self.minimalEmail.dropFirst())
        guard case .email(let email) = message else {
            Issue.record("expected an email")
            return
        }
        #expect(email.officeNumber == "0001")
        #expect(email.lines.isEmpty)
    }

    @Test func rejectsAnUnknownTypeNamingTheKnownTypes() throws {
        let error = try #require(throws: DecodingError.self) {
            try decode(#"{"schemaVersion":1,"type":"invoice","# + Self.minimalEmail.dropFirst())
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription.contains("\"invoice\""))
        for name in ModelMessage.typeNames { #expect(context.debugDescription.contains(name)) }
        #expect(context.codingPath.last?.stringValue == "type")
    }

    @Test(arguments: ["0", "2", "\"1\"", "1.5"])
    func rejectsASchemaVersionOtherThanOne(_ version: String) throws {
        let error = try #require(throws: DecodingError.self) {
            try decode(#"{"schemaVersion":"# + version + #","type":"email","# + Self.minimalEmail.dropFirst())
        }
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context):
            #expect(context.codingPath.last?.stringValue == "schemaVersion", "\(context)")
        default:
            Issue.record("unexpected \(error)")
        }
    }

    @Test func rejectsAMissingTypeAndTakesAMissingSchemaVersionAsOne() throws {
        #expect(throws: DecodingError.self) { try decode(#"{"schemaVersion":1,"# + Self.minimalEmail.dropFirst()) }
        // Like the CDAnet writer, an absent schemaVersion is version 1.
        #expect(try decode(#"{"type":"email","# + Self.minimalEmail.dropFirst()).typeName == "email")
    }

    @Test func rejectsAMissingRequiredKey() {
        #expect(throws: DecodingError.self) {
            try decode(
                #"{"schemaVersion":1,"type":"email","routing":{"officeSequenceNumber":"000130","version":"04"}}"#)
        }
    }

    @Test func encodesTheEnvelopeAndLeavesOutAbsentValues() throws {
        let message = ModelMessage.claimAcknowledgement(
            Acknowledgement(
                routing: Routing(officeSequenceNumber: "000101", version: "04", carrierId: "000125", mailbox: .empty),
                status: .rejected, totals: Totals(serviceAmount: Money(cents: 4850)),
                errors: [ResponseError(lineNumber: 0, code: "011")]))
        let json = try JSONValue.parse(try JSONEncoder().encode(message))
        let expected = try JSONValue.parse(
            Data(
                #"""
                {"schemaVersion":1,"type":"claimAcknowledgement",
                 "routing":{"officeSequenceNumber":"000101","version":"04","carrierId":"000125","mailbox":"empty"},
                 "status":"rejected","totals":{"serviceAmount":"48.50"},"errors":[{"lineNumber":0,"code":"011"}]}
                """#.utf8))
        #expect(json == expected, "\(json.firstDifference(from: expected) ?? "")")
    }

    @Test func sharedStructsKeepTheirType() throws {
        let claim = Claim(
            routing: Routing(officeSequenceNumber: "000120", version: "04"), providers: Providers(),
            patient: Patient(), coverage: Coverage(primary: CoverageDetails(relationship: .child)),
            procedures: [Procedure(lineNumber: 1, toothOrArea: "00", fee: Money(cents: 6200))])
        for message in [ModelMessage.claim(claim), .predetermination(claim), .cobClaim(claim)] {
            let again = try JSONDecoder().decode(ModelMessage.self, from: try JSONEncoder().encode(message))
            #expect(again == message)
            #expect(again.typeName == message.typeName)
        }
        #expect(ModelMessage.predetermination(claim) != ModelMessage.claim(claim))
    }

    @Test func unknownEnumerationNamesDecodeAndEncodeUnchanged() throws {
        let status = try JSONDecoder().decode(ResponseStatus.self, from: Data(#""pendingReview""#.utf8))
        #expect(status.rawValue == "pendingReview")
        #expect(!status.isKnown)
        #expect(String(decoding: try JSONEncoder().encode(status), as: UTF8.self) == #""pendingReview""#)
        #expect(ResponseStatus.accepted.isKnown)
        #expect(Relationship.`self`.rawValue == "self")
        #expect(AttachmentSource.internal.rawValue == "internal")
        #expect(MaterialsForwarded.emailCorrespondenceXrays.parts == [.email, .correspondence, .xrays])
    }

    @Test func enumerationNamesMatchTheCodeTables() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var names: Set<String> = []
        for folder in ["v04", "v02"] {
            let text = try String(
                contentsOf: root.appendingPathComponent("Mappings/cdanet/\(folder)/codes.yaml"), encoding: .utf8)
            // Names are the values of `"code": name` pairs on `codes:` lines and in block tables.
            for line in text.split(separator: "\n") where !line.contains("aliases") {
                let pattern = #/"[^"]*":\s*"?([A-Za-z0-9+]+)"?/#
                for match in line.matches(of: pattern) { names.insert(String(match.output.1)) }
            }
        }
        let known: [[String]] = [
            EncryptionMethod.knownValues.map(\.rawValue), Mailbox.knownValues.map(\.rawValue),
            MaterialsForwarded.knownValues.map(\.rawValue), ReferralReason.knownValues.map(\.rawValue),
            Relationship.knownValues.map(\.rawValue), Sex.knownValues.map(\.rawValue),
            EligibilityException.knownValues.map(\.rawValue), PlanFlag.knownValues.map(\.rawValue),
            Language.knownValues.map(\.rawValue), SecondaryCoverageFlag.knownValues.map(\.rawValue),
            Payee.knownValues.map(\.rawValue), YesNo.knownValues.map(\.rawValue),
            InitialPlacement.knownValues.map(\.rawValue), ProsthesisMaterial.knownValues.map(\.rawValue),
            ResponseStatus.knownValues.map(\.rawValue), FormID.knownValues.map(\.rawValue),
            MessageOutput.knownValues.map(\.rawValue), AttachmentSource.knownValues.map(\.rawValue),
            EmailFlag.knownValues.map(\.rawValue),
        ]
        #expect(Set(known.flatMap { $0 }) == names)
    }

    /// The comparison the fixture test relies on does see a lost key, a changed value or a changed type.
    @Test func jsonComparisonSeesDifferences() throws {
        func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }
        let original = try parse(#"{"a":[1,"x",{"b":"2.50"}],"c":true,"d":null}"#)
        #expect(try parse(#"{"d":null,"c":true,"a":[1.0,"x",{"b":"2.50"}]}"#) == original)
        #expect(try parse(#"{"a":[1,"x",{"b":"2.50"}],"c":true}"#) != original)
        #expect(try parse(#"{"a":[1,"x",{"b":"2.5"}],"c":true,"d":null}"#) != original)
        #expect(try parse(#"{"a":[1,"x",{"b":2.50}],"c":true,"d":null}"#) != original)
        #expect(try parse(#"{"a":[true,"x",{"b":"2.50"}],"c":true,"d":null}"#) != original)
        #expect(try parse(#"{"a":[1,"x"],"c":true,"d":null}"#) != original)
        let lost = try parse(#"{"a":[1,"x",{"b":"2.50"}],"c":true}"#)
        #expect(lost.firstDifference(from: original) == "$.d: missing on the left")
    }
}
