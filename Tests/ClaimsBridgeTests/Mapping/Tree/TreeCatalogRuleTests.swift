import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// The tree-mapping rules added for lab formats, on small inline mappings: `catalog:` (a product code for
/// `kind` + `material`, both ways) and `as: timestamp`.
@Suite struct TreeCatalogRuleTests {
    /// A folder with a two-product catalog and a JSON mapping using it; removed by the caller.
    static func folder(mapping: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-tree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(
            """
            code,kind,material,price,turnaroundDays,description
            A1,crown,zirconia,100.00,5,one
            B2,veneer,feldspathicPorcelain,200.00,7,two
            """.utf8
        ).write(to: folder.appendingPathComponent("catalog.csv"))
        try Data(mapping.utf8).write(to: folder.appendingPathComponent("m.mapping.yaml"))
        return folder
    }

    static let mapping = """
        mapping: t
        format: json
        record:
          - {key: id, path: orderId}
          - {key: at, path: timestamp, as: timestamp}
          - array: lines
            path: items
            rules:
              - {key: sku, catalog: catalog.csv, required: true}
        """

    @Test func codesBecomeKindAndMaterialAndBack() throws {
        let folder = try Self.folder(mapping: Self.mapping)
        defer { try? FileManager.default.removeItem(at: folder) }
        let mapping = try TreeMapping.load(path: folder.appendingPathComponent("m.mapping.yaml").path)
        let partner = #"{"id":"7","at":"2026-03-12T09:05:00-05:00","lines":[{"sku":"B2"},{"sku":"A1"}]}"#
        let model = try TreeTranslate.read(Array(partner.utf8), mapping: mapping)
        #expect(model.rejects.isEmpty)
        #expect(
            String(decoding: model.output, as: UTF8.self)
                == #"{"schemaVersion":1,"orderId":"7","timestamp":"2026-03-12T14:05:00Z","items":[{"kind":"veneer","material":"feldspathicPorcelain"},{"kind":"crown","material":"zirconia"}]}"#
                + "\n")
        let back = try TreeTranslate.write(model.output, mapping: mapping)
        #expect(
            String(decoding: back.output, as: UTF8.self)
                == #"{"id":"7","at":"2026-03-12T14:05:00Z","lines":[{"sku":"B2"},{"sku":"A1"}]}"# + "\n")
    }

    @Test func missesNameTheCodeOrTheKindAndMaterial() throws {
        let folder = try Self.folder(mapping: Self.mapping)
        defer { try? FileManager.default.removeItem(at: folder) }
        let mapping = try TreeMapping.load(path: folder.appendingPathComponent("m.mapping.yaml").path)
        let read = try TreeTranslate.read(Array(#"{"id":"7","lines":[{"sku":"ZZ"}]}"#.utf8), mapping: mapping)
        let miss = try #require(read.rejects.first?.error)
        #expect(miss == BridgeError(.notInCatalog, ""))
        #expect(miss.reason.hasPrefix("product code \"ZZ\" is not in the lab's catalog "))
        #expect(miss.reason.hasSuffix("/catalog.csv"))
        #expect(miss.location.fieldID == "record/lines[1]/@sku")
        let written = try TreeTranslate.write(
            Array(#"{"items":[{"kind":"crown","material":"titanium"},{"material":"zirconia"}]}"#.utf8),
            mapping: mapping)
        let noCode = try #require(written.rejects.first?.error)
        #expect(noCode.reason.hasSuffix("has no product code for crown in titanium"))
        #expect(noCode.location.modelPath == "items[0].kind")
        #expect(noCode.location.fieldID == "record/lines[1]/@sku")
        let badTime = try TreeTranslate.read(Array(#"{"at":"2026-03-12 14:05","lines":[]}"#.utf8), mapping: mapping)
        #expect(badTime.rejects.first?.error.location.fieldID == "record/@at")
    }

    @Test func aMissingCatalogIsReportedAtItsRule() throws {
        let folder = try Self.folder(mapping: Self.mapping.replacingOccurrences(of: "catalog.csv", with: "nope.csv"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: BridgeError.self) {
            try TreeMapping.load(path: folder.appendingPathComponent("m.mapping.yaml").path)
        }
        #expect(error.location.line == 9)
        #expect(error.reason.contains("cannot read the lab catalog"))
    }
}
