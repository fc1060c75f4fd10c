import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Broken mappings are refused when they are loaded, with file:line and a reason.
@Suite struct MappingLoadingTests {
    /// Copies the v04 claim mapping, its layout, dictionary and codes into a temporary folder, applies `edit`
    /// to the mapping text, and loads it.
    func load(editing edit: (String) -> String) throws -> (Result<Mapping, BridgeError>, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-mapping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = Fixtures.mappings.appendingPathComponent("cdanet/v04")
        for name in ["01-claim.layout.yaml", "fields.yaml", "codes.yaml", "rules.yaml"] {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let text = try String(contentsOf: source.appendingPathComponent("claim.mapping.yaml"), encoding: .utf8)
        let path = folder.appendingPathComponent("claim.mapping.yaml").path
        try edit(text).write(toFile: path, atomically: true, encoding: .utf8)
        var cache = MappingLoadCache()
        do {
            return (.success(try Mapping.load(path: path, cache: &cache)), path)
        } catch let error as BridgeError {
            return (.failure(error), path)
        }
    }

    func line(of needle: String, in text: String) -> Int {
        (text.components(separatedBy: "\n").firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    @Test func theShippedClaimMappingLoads() throws {
        let (result, _) = try load { $0 }
        let mapping = try result.get()
        #expect(mapping.type == "claim")
        #expect(mapping.notReversibleBecause == nil)
    }

    @Test(arguments: [
        ("{field: C06, path: patient.lastName}", "{field: Z99, path: patient.lastName}", "Z99"),
        (
            "{field: C06, path: patient.lastName}", "{field: C06, path: patient.lastName, codes: nosuchtable}",
            "nosuchtable"
        ),
        ("{field: C06, path: patient.lastName}", "{field: C06, path: patient.lastName, as: money}", "as: money"),
        ("{field: C06, path: patient.lastName}", "{field: C06, path: patient.lastName, colour: red}", "colour"),
        ("{field: C06, path: patient.lastName}", "{field: F06, path: patient.lastName}", "computed"),
        ("{field: C07, path: patient.firstName}", "{field: C07, path: patient.lastName}", "written by two rules"),
        ("group: procedureLines", "group: procedureLinez", "procedureLinez"),
    ])
    func brokenMappingIsRefusedWithFileAndLine(_ original: String, _ broken: String, _ mentioned: String) throws {
        var edited = ""
        let (result, path) = try load { text in
            edited = text.replacingOccurrences(of: original, with: broken)
            return edited
        }
        guard case .failure(let error) = result else {
            Issue.record("the broken mapping loaded")
            return
        }
        #expect(error == BridgeError(.invalidConfiguration, ""))
        #expect(error.location.file == path)
        #expect(error.location.line == line(of: broken, in: edited))
        #expect(error.description.contains(mentioned) || error.reason.contains(mentioned), "\(error)")
    }

    @Test func mappingThatCannotBeReversedRefusesToWrite() throws {
        let (result, path) = try load {
            $0.replacingOccurrences(
                of: "codes: relationship}",
                with: "codes: {\"1\": self, \"2\": partner, \"3\": child, \"4\": partner, \"5\": other}}")
        }
        let mapping = try result.get()
        let reason = try #require(mapping.notReversibleBecause)
        #expect(reason == BridgeError(.notReversible, ""))
        #expect(reason.location.file == path)
        #expect(reason.location.line != nil)
        #expect(reason.reason.contains("partner"))
    }

    @Test func aLayoutWithAnUnknownFieldIsRefused() throws {
        var cache = MappingLoadCache()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cb-layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = Fixtures.mappings.appendingPathComponent("cdanet/v04")
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("fields.yaml"), to: folder.appendingPathComponent("fields.yaml"))
        let layout = try String(
            contentsOf: source.appendingPathComponent("04-request-for-outstanding-transactions.layout.yaml"),
            encoding: .utf8
        )
        .replacingOccurrences(of: "  - B03", with: "  - B99")
        let path = folder.appendingPathComponent("04.layout.yaml").path
        try layout.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: BridgeError(.invalidConfiguration, "")) {
            _ = try RecordLayout.load(path: path, dictionaries: &cache.dictionaries)
        }
        do {
            _ = try RecordLayout.load(path: path, dictionaries: &cache.dictionaries)
        } catch let error as BridgeError {
            #expect(error.location.line == line(of: "B99", in: layout))
        }
    }

    @Test func layoutOffsetsMatchTheReference() throws {
        // The reference's worked check: a 03 with E20=1, F22=0, F25=1 puts F05 at 563, F37 at 568, F26 at 576.
        let catalog = Fixtures.catalog
        let mapping = try #require(catalog.mapping(version: 4, transaction: 3))
        #expect(mapping.layout.lengthFieldOffset == 32)
        #expect(mapping.layout.minimumLength == 376 + 48)
        let claim = try #require(catalog.mapping(version: 4, transaction: 1))
        #expect(claim.layout.minimumLength == 388 + 56)
        #expect(try #require(catalog.mapping(version: 4, transaction: 9)).layout.lengthFieldWidth == 7)
        #expect(try #require(catalog.mapping(version: 2, transaction: 4)).layout.lengthFieldOffset == 25)
        #expect(try #require(catalog.mapping(version: 4, transaction: 15)).layout.lengthFieldOffset == 22)
    }
}
