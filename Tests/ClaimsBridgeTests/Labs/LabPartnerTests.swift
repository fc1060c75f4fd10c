import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Both example lab formats through ``LabPartner``: golden orders both ways, catalog misses, model checks.
@Suite struct LabPartnerTests {
    static let orders = ["01-single-crown", "02-bridge-3-unit", "03-implant-with-scans", "04-full-denture"]
    static let labs = [("example-rest", "jsonl"), ("example-xml", "xml")]

    static func partner(_ name: String) throws -> LabPartner {
        try LabPartner(name: name, mappings: Fixtures.mappings.path)
    }

    static func write(_ lab: String, _ input: [UInt8]) throws -> TranslationRun {
        try PipelineRun.write(try partner(lab).orderWriter(), input)
    }

    static func read(_ lab: String, _ input: [UInt8], chunkSize: Int = .max) throws -> TranslationRun {
        try PipelineRun.read(try partner(lab).orderReader(), input, chunkSize: chunkSize)
    }

    @Test(arguments: labs, orders)
    func goldenOrdersRoundTrip(_ lab: (String, String), _ name: String) throws {
        let base = "labs/\(lab.0)/\(name)"
        let document = try Fixtures.bytes("\(base).\(lab.1)")
        let written = try Self.write(lab.0, try Fixtures.bytes("\(base).input.jsonl"))
        #expect(written.rejects.map(\.error.description) == [])
        #expect(String(decoding: written.output, as: UTF8.self) == String(decoding: document, as: UTF8.self))
        let read = try Self.read(lab.0, document, chunkSize: 7)
        #expect(read.rejects.map(\.error.description) == [])
        let expected = try Fixtures.bytes("\(base).expected.jsonl")
        #expect(String(decoding: read.output, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(try Self.write(lab.0, read.output).output == document)
        let original = try LabOrder(json: Array(try Fixtures.bytes("\(base).input.jsonl").dropLast()))
        #expect(try LabOrder(json: Array(read.output.dropLast())) == original)
    }

    @Test(arguments: orders)
    func xmlDocumentsAreValidAgainstTheShippedSchema(_ name: String) throws {
        let validator = try XMLSchemaValidator(
            path: Fixtures.mappings.appendingPathComponent("labs/example-xml/example-xml.xsd").path)
        let document = try Fixtures.bytes("labs/example-xml/\(name).xml")
        #expect(validator.validate(document).isEmpty)
        let broken = String(decoding: document, as: UTF8.self).replacingOccurrences(
            of: "article=\"", with: "article=\"x")
        #expect(!validator.validate(Array(broken.utf8)).isEmpty)
    }

    @Test(arguments: labs)
    func aKindAndMaterialWithoutACodeIsRefusedNamingTheCatalog(_ lab: (String, String)) throws {
        let order =
            #"{"type":"labOrder","orderId":"LO-7","patient":{"chartReference":"C-7"},"items":[{"kind":"crown","material":"titanium","teeth":[{"tooth":"11"}]}]}"#
        let run = try Self.write(lab.0, Array((order + "\n").utf8))
        let reject = try #require(run.rejects.first)
        #expect(reject.error == BridgeError(.notInCatalog, ""))
        #expect(
            reject.error.reason
                == "the lab's catalog labs/\(lab.0)/catalog.csv has no product code for crown in titanium")
        #expect(reject.messageNumber == 1)
        #expect(reject.original == Array(order.utf8))
    }

    @Test(arguments: labs)
    func anOrderBreakingTheModelIsNotWritten(_ lab: (String, String)) throws {
        let orders = [
            #"{"type":"labOrder","orderId":"LO-8","patient":{"chartReference":"C-8","lastName":"Gagnon"},"items":[{"kind":"crown","material":"zirconia","teeth":[{"tooth":"19"}]}]}"#,
            #"{"type":"claim","orderId":"LO-8"}"#,
        ]
        let run = try Self.write(lab.0, Array(orders.joined(separator: "\n").utf8))
        #expect(run.summary.translated == 0)
        #expect(run.rejects.map(\.error.location.modelPath) == ["items[0].teeth[0].tooth", "type"])
        #expect(run.rejects.map(\.error.code) == [.invalidValue, .unknownModelType])
        #expect(!run.rejects[0].error.description.contains("Gagnon"))
    }

    @Test func anUnknownLabNamesTheLabsThereAre() throws {
        let error = try #require(throws: BridgeError.self) { try Self.partner("acme") }
        #expect(error.reason.hasSuffix("(labs: example-rest, example-xml)"))
        #expect(throws: BridgeError.self) { try Self.partner("../ramq") }
    }
}

/// Docs/lab-orders.md, "Adding a third lab": a lab is its folder; a copy under a new name works with no code.
@Suite struct NewLabTests {
    @Test func aCopiedFolderIsANewLab() throws {
        let mappings = FileManager.default.temporaryDirectory.appendingPathComponent("cb-newlab-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: mappings) }
        try FileManager.default.createDirectory(
            at: mappings.appendingPathComponent("labs"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.mappings.appendingPathComponent("labs/example-rest"),
            to: mappings.appendingPathComponent("labs/northlab"))
        #expect(LabPartner.available(in: mappings.path) == ["northlab"])
        let lab = try LabPartner(name: "northlab", mappings: mappings.path)
        #expect(try lab.checkCatalog().isEmpty)
        let order = try Fixtures.bytes("labs/example-rest/02-bridge-3-unit.input.jsonl")
        let written = try PipelineRun.write(try lab.orderWriter(), order)
        #expect(written.output == (try Fixtures.bytes("labs/example-rest/02-bridge-3-unit.jsonl")))
        let book = try LabOrderBook(path: Fixtures.url("labs/orders.jsonl").path)
        let event =
            #"{"event":"case.status_changed","externalId":"LO-1002","status":"IN_PRODUCTION","occurredAt":"2026-03-04T08:00:00Z"}"#
        let status = try PipelineRun.read(try lab.statusReader(orders: book), Array(event.utf8))
        #expect(String(decoding: status.output, as: UTF8.self).contains(#""from":"accepted","to":"inProduction""#))
    }
}
