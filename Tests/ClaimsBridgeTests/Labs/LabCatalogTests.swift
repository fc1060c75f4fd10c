import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Lab catalogs: reading the CSV, looking codes up both ways, and checking every line.
@Suite struct LabCatalogTests {
    @Test(arguments: ["example-rest", "example-xml"])
    func shippedCatalogsAreClean(_ lab: String) throws {
        let partner = try LabPartner(name: lab, mappings: Fixtures.mappings.path)
        #expect(try partner.checkCatalog().map(\.description) == [])
        let catalog = try LabCatalog(path: partner.catalogPath)
        #expect(catalog.entries.count > 10)
        for entry in catalog.entries {
            #expect(catalog.entry(forCode: entry.code) == entry)
            #expect(catalog.entry(kind: entry.kind, material: entry.material) == entry)
        }
    }

    @Test func quotedFieldsKeepTheirCommas() {
        #expect(
            LabCatalog.fields(of: #"1110,bridge,zirconia,179.00,8,"Bridge unit, ""monolithic"" zirconia""#) == [
                "1110", "bridge", "zirconia", "179.00", "8", #"Bridge unit, "monolithic" zirconia"#,
            ])
        #expect(LabCatalog.fields(of: "a,,c") == ["a", "", "c"])
    }

    @Test func everyProblemIsReportedWithItsLine() throws {
        let folder = try Self.mappingsWithBrokenLab()
        defer { try? FileManager.default.removeItem(at: folder) }
        let partner = try LabPartner(name: "broken", mappings: folder.path)
        let findings = try partner.checkCatalog()
        let expected = String(decoding: try Fixtures.bytes("labs/invalid/catalog-problems.expected.txt"), as: UTF8.self)
        #expect(
            findings.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") }
                == expected.split(separator: "\n").map(String.init))
    }

    @Test func aWrongHeaderIsRefusedWithItsLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cb-catalog-\(UUID().uuidString).csv")
        try Data("# comment\ncode,kind,price\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let error = try #require(throws: BridgeError.self) { try LabCatalog(path: file.path) }
        #expect(error.location.line == 2)
        #expect(error.reason.contains("code,kind,material,price,turnaroundDays,description"))
    }

    /// A mappings folder with `labs/broken/catalog.csv`, the bad catalog fixture.
    static func mappingsWithBrokenLab() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-labs-\(UUID().uuidString)")
        let lab = folder.appendingPathComponent("labs/broken")
        try FileManager.default.createDirectory(at: lab, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.url("labs/invalid/catalog-problems.csv"), to: lab.appendingPathComponent("catalog.csv"))
        return folder
    }
}
