import ClaimsBridge
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeWatcher

/// Request/response pairing and sequence numbering come from the layout files; these tests derive what they
/// expect from `Mappings/` (or from an edited copy of it), never from a list of transactions written here.
@Suite("Transaction rules from the layouts")
struct TransactionRulesTests {
    static let shipped = Fixtures.mappings.path + "/cdanet"

    /// A scratch copy of `Mappings/cdanet` with `edits` (file → (old, new)) applied.
    func editedCopy(_ edits: [String: (String, String)]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: Self.shipped, toPath: folder)
        for (file, edit) in edits {
            let path = folder + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(edit.0), "\(file) still has \(edit.0)")
            try text.replacingOccurrences(of: edit.0, with: edit.1).write(
                toFile: path, atomically: true, encoding: .utf8)
        }
        return folder
    }

    /// Fills the numbers of one model JSON line with a fresh ledger.
    func filled(_ line: [UInt8], rules: TransactionRules) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(line).write(to: URL(fileURLWithPath: folder + "/in.jsonl"))
        let ledger = try Ledger(path: folder + "/ledger.sqlite")
        let id = try ledger.recordClaim(
            route: "out", name: "in.jsonl", path: folder + "/in.jsonl", sha256: "00", size: 1, reprocessOf: nil)
        let numbering = SequenceNumbering(ledger: ledger, fileID: id, rules: rules)
        let count = try numbering.fill(inputPath: folder + "/in.jsonl", outputPath: folder + "/out.jsonl")
        return String(
            decoding: count == 0 ? line : try Array(Data(contentsOf: URL(fileURLWithPath: folder + "/out.jsonl"))),
            as: UTF8.self)
    }

    /// A fixture's JSON with its routing numbers emptied.
    func withoutNumbers(_ fixture: String) throws -> [UInt8] {
        var text = String(decoding: try Fixtures.bytes(fixture), as: UTF8.self)
        for key in ["officeSequenceNumber", "carrierTransactionCounter"] {
            text = text.replacingOccurrences(
                of: "\"\(key)\":\"[0-9]*\"", with: "\"\(key)\":\"\"", options: .regularExpression)
        }
        return Array(text.utf8)
    }

    @Test("Every layout file says how it pairs: responses list what they answer, requests their sequence numbers")
    func everyLayoutDeclaresItsRole() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.shipped).filter {
            $0.hasSuffix(".layout.yaml")
        }
        #expect(!files.isEmpty)
        for file in files {
            let lines = try String(contentsOfFile: Self.shipped + "/" + file, encoding: .utf8).split(separator: "\n")
            if lines.contains("direction: response") {
                #expect(lines.contains { $0.hasPrefix("answers: [") }, "\(file)")
            } else {
                #expect(lines.contains { $0.hasPrefix("sequence: ") }, "\(file)")
            }
        }
    }

    @Test("Roles follow the layouts: requests are the request layouts' types; each response answers requests")
    func rolesFollowTheLayouts() throws {
        let catalog = try CDAnetCatalog(directory: Self.shipped)
        let rules = try TransactionRules(catalog: catalog)
        let requestTypes = Set(catalog.mappings.filter(\.layout.isRequest).map(\.type))
        #expect(Set(rules.roles.filter(\.value.isRequest).keys) == requestTypes)
        for mapping in catalog.mappings where !mapping.layout.isRequest {
            let role = rules.role(of: mapping.type)
            #expect(!role.answers.isEmpty, "\(mapping.layout.file)")
            #expect(role.answers.allSatisfy(requestTypes.contains), "\(mapping.layout.file)")
            for code in mapping.layout.correlation.answers {
                let request = try #require(
                    catalog.mapping(version: Int(mapping.layout.version)!, transaction: Int(code)!))
                #expect(role.answers.contains(request.type))
            }
        }
        #expect(rules.role(of: "somethingNew") == .init(isRequest: false, answers: [], mayBeUnsolicited: false))
    }

    @Test("Numbers are allocated as each request layout's `sequence:` says, in every version")
    func numbersFollowTheLayouts() throws {
        let rules = try TransactionRules(catalog: try CDAnetCatalog(directory: Self.shipped))
        let claim = try filled(try withoutNumbers("cdanet/v04/01-claim-basic.expected.json"), rules: rules)
        #expect(
            claim.contains("\"officeSequenceNumber\":\"000001\"")
                && claim.contains("\"carrierTransactionCounter\":\"00001\""))
        // Version 04 reversal: `sequence: {A09: perOfficeAndCarrier}`; its A02 must repeat the claim's.
        let reversal = try filled(try withoutNumbers("cdanet/v04/02-claim-reversal.expected.json"), rules: rules)
        #expect(
            reversal.contains("\"officeSequenceNumber\":\"\"")
                && reversal.contains("\"carrierTransactionCounter\":\"00001\""))
        // Version 02 has no A09: `sequence: {A02: perOffice}`.
        let old = try filled(try withoutNumbers("cdanet/v02/01-claim.expected.json"), rules: rules)
        #expect(old.contains("\"officeSequenceNumber\":\"000001\"") && !old.contains("carrierTransactionCounter"))
        // A response gets nothing.
        let response = try withoutNumbers("cdanet/v04/11-claim-acknowledgement.expected.json")
        #expect(try filled(response, rules: rules) == String(decoding: response, as: UTF8.self))
    }

    @Test("Editing a layout changes pairing and numbering, with no code change")
    func editedLayoutsChangeBehaviour() throws {
        let folder = try editedCopy([
            "v04/02-claim-reversal.layout.yaml": ("sequence: {A09: perOfficeAndCarrier}", "sequence: {A02: perOffice}"),
            "v04/11-claim-acknowledgement.layout.yaml": ("answers: [\"01\", \"07\"]", "answers: [\"03\"]"),
            "v04/24-e-mail.layout.yaml": ("unsolicited: true", "unsolicited: false"),
        ])
        let rules = try TransactionRules(catalog: try CDAnetCatalog(directory: folder))
        let reversal = try filled(try withoutNumbers("cdanet/v04/02-claim-reversal.expected.json"), rules: rules)
        #expect(
            reversal.contains("\"officeSequenceNumber\":\"000001\"")
                && reversal.contains("\"carrierTransactionCounter\":\"\""))
        let acknowledgement = rules.role(of: "claimAcknowledgement").answers
        #expect(acknowledgement.contains("predetermination") && !acknowledgement.contains("cobClaim"))
        #expect(!rules.role(of: "email").mayBeUnsolicited)
    }

    @Test(
        "Mistakes in the new layout keys are reported at their file and line",
        arguments: [
            (
                "v04/01-claim.layout.yaml", "sequence: {A02: perOffice, A09: perOfficeAndCarrier}", "answers: [\"11\"]",
                "belongs on a response layout"
            ),
            (
                "v04/01-claim.layout.yaml", "sequence: {A02: perOffice, A09: perOfficeAndCarrier}",
                "sequence: {A02: perDay}", "perOffice or perOfficeAndCarrier"
            ),
            (
                "v04/01-claim.layout.yaml", "sequence: {A02: perOffice, A09: perOfficeAndCarrier}",
                "sequence: {C06: perOffice}", "C06 is not a numeric field"
            ),
            (
                "v04/11-claim-acknowledgement.layout.yaml", "answers: [\"01\", \"07\"]", "sequence: none",
                "belongs on a request layout"
            ),
            (
                "v04/11-claim-acknowledgement.layout.yaml", "answers: [\"01\", \"07\"]", "answers: [\"1\"]",
                "two-digit transaction codes"
            ),
        ])
    func badKeys(file: String, old: String, new: String, message: String) throws {
        let folder = try editedCopy([file: (old, new)])
        let lines = try String(contentsOfFile: folder + "/" + file, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.hasPrefix(new.prefix(8)) }) + 1
        do {
            _ = try CDAnetCatalog(directory: folder)
            Issue.record("\(new) was accepted")
        } catch let error as BridgeError {
            #expect(error.description.contains(message), "\(error)")
            #expect(error.description.contains("\(file.split(separator: "/").last!):\(line)"), "\(error)")
        }
    }

    @Test("`answers:` naming a transaction that is not a request of the version is refused when rules are derived")
    func answersMustNameRequests() throws {
        let folder = try editedCopy([
            "v04/11-claim-acknowledgement.layout.yaml": ("answers: [\"01\", \"07\"]", "answers: [\"21\"]")
        ])
        #expect(throws: BridgeError.self) { try TransactionRules(catalog: try CDAnetCatalog(directory: folder)) }
    }

    @Test("A response that may come unsolicited is recorded but not reported when no request matches")
    func unsolicitedResponses() throws {
        let rules = try TransactionRules(catalog: try CDAnetCatalog(directory: Self.shipped))
        let lines =
            try Fixtures.bytes("cdanet/v04/24-email.expected.json") + [0x0A]
            + Fixtures.bytes("cdanet/v04/11-claim-acknowledgement.expected.json")
        let identities = MessageRecorder.identities(jsonLines: lines, skippedLines: [], rules: rules)
        #expect(identities.map(\.identity.type) == ["email", "claimAcknowledgement"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ledger = try Ledger(path: folder + "/ledger.sqlite")
        let id = try ledger.recordClaim(
            route: "replies", name: "r.txt", path: folder + "/r.txt", sha256: "00", size: 1, reprocessOf: nil)
        let unmatched = try ledger.insertMessages(fileID: id, identities)
        #expect(unmatched.map(\.type) == ["claimAcknowledgement"])
        #expect(try ledger.unmatchedResponses().map(\.type) == ["claimAcknowledgement"])
    }
}
