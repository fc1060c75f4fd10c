import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// A catalog loaded through its saved index translates exactly like one loaded in full, compiles only what its
/// messages need, and is never used once a file it was made from has changed.
@Suite struct CatalogIndexTests {
    /// A private copy of `Mappings/cdanet` and an empty cache folder.
    struct Workspace {
        let root: URL
        var mappings: String { root.appendingPathComponent("cdanet").path }
        var cache: String { root.appendingPathComponent("cache").path }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-index-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: Fixtures.mappings.appendingPathComponent("cdanet"), to: root.appendingPathComponent("cdanet"))
        }

        func load() throws -> CDAnetCatalog { try CDAnetCatalog.load(directory: mappings, cacheFolder: cache) }

        func indexFiles() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".index") }
        }

        /// Replaces `old` by `new` in a file below the copied mappings.
        func edit(_ relative: String, _ old: String, _ new: String) throws {
            let path = mappings + "/" + relative
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(old), "\(relative) does not contain \(old)")
            try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: false, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    static let fixtures =
        Fixtures.files(in: "cdanet/v04", withExtension: "txt") + Fixtures.files(in: "cdanet/v02", withExtension: "txt")

    @Test func aFirstRunLoadsEverythingAndSavesAPrivateIndex() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let catalog = try workspace.load()
        #expect(catalog.isFullyLoaded)
        let files = try workspace.indexFiles()
        #expect(files.count == 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.cache + "/" + files[0])
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: workspace.cache)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
    }

    @Test func aCatalogFromTheIndexCompilesOnlyWhatItsMessagesNeed() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.load()
        let catalog = try workspace.load()
        #expect(!catalog.isFullyLoaded)
        let run = try Translate.cdanet(try Fixtures.bytes("cdanet/v04/01-claim-basic.txt"), catalog: catalog)
        #expect(run.rejects.isEmpty)
        #expect(!catalog.isFullyLoaded)
        #expect(catalog.mappings.count == Fixtures.catalog.mappings.count)
        #expect(catalog.isFullyLoaded)
    }

    @Test(arguments: fixtures)
    func translatesEveryFixtureLikeTheFullCatalog(_ fixture: String) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.load()
        let indexed = try workspace.load()
        let bytes = try Fixtures.bytes(fixture)
        let read = try Translate.cdanet(bytes, catalog: indexed)
        let expected = try Translate.cdanet(bytes)
        #expect(read.output == expected.output)
        #expect(read.rejects.isEmpty)
        let written = try Translate.json(read.output, catalog: try workspace.load())
        #expect(written.output == bytes)
    }

    @Test func anEditedLayoutIsNeverReadThroughTheOldIndex() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.load()
        // Same length, other content: the EOB now claims to be transaction 22.
        try workspace.edit("v04/21-explanation-of-benefits.layout.yaml", "transaction: \"21\"", "transaction: \"22\"")
        let catalog = try workspace.load()
        #expect(catalog.isFullyLoaded, "a changed file must make a full load")
        #expect(catalog.mapping(version: 4, transaction: 22) != nil)
        #expect(catalog.mapping(version: 4, transaction: 21) == nil)
        let again = try workspace.load()
        #expect(!again.isFullyLoaded, "the new contents get an index of their own")
        #expect(again.mapping(version: 4, transaction: 22)?.layout.transaction == "22")
    }

    @Test func anEditedMappingTypeIsSeen() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.load()
        try workspace.edit("v04/email.mapping.yaml", "type: email", "type: notice")
        let catalog = try workspace.load()
        #expect(catalog.modelTypes.contains("notice"))
        #expect(try workspace.load().modelTypes.contains("notice"))
    }

    @Test func aBrokenFileIsReportedEvenWhenAnIndexExists() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.load()
        try workspace.edit("v04/fields.yaml", "fields:", "fieldz:")
        #expect(throws: BridgeError.self) { try workspace.load() }
    }

    @Test func aNewMappingFileIsSeen() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.load()
        let v04 = workspace.mappings + "/v04/"
        try FileManager.default.moveItem(atPath: v04 + "email.mapping.yaml", toPath: v04 + "email.hold")
        #expect(try workspace.load().mapping(version: 4, transaction: 24) == nil)
        try FileManager.default.moveItem(atPath: v04 + "email.hold", toPath: v04 + "email.mapping.yaml")
        #expect(try workspace.load().mapping(version: 4, transaction: 24) != nil)
    }

    @Test func aDamagedIndexIsIgnoredAndReplaced() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.load()
        let file = workspace.cache + "/" + (try workspace.indexFiles())[0]
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try String(text.prefix(text.count / 2)).write(toFile: file, atomically: false, encoding: .utf8)
        #expect(try workspace.load().isFullyLoaded)
        #expect(!(try workspace.load().isFullyLoaded))
    }

    @Test func theIndexTextReadsBack() throws {
        let index = CDAnetCatalogIndex(
            entries: [
                .init(
                    file: "/m/claim.mapping.yaml", type: "claim", version: "04", transaction: "01",
                    embedsMessage: false, writable: true)
            ], files: [("/m/claim.mapping.yaml", String(repeating: "a", count: 64))])
        #expect(CDAnetCatalogIndex(text: index.text) == index)
        #expect(CDAnetCatalogIndex(text: "something else\n") == nil)
    }

    @Test func theCacheFolderFollowsTheEnvironment() {
        #expect(CDAnetCatalog.defaultCacheFolder(environment: ["CLAIMSBRIDGE_CACHE_DIR": "off"]) == nil)
        #expect(CDAnetCatalog.defaultCacheFolder(environment: ["CLAIMSBRIDGE_CACHE_DIR": "/c"]) == "/c")
        #expect(
            CDAnetCatalog.defaultCacheFolder(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/claimsbridge")
        #expect(CDAnetCatalog.defaultCacheFolder(environment: ["HOME": "/h"]) == "/h/.cache/claimsbridge")
        #expect(CDAnetCatalog.defaultCacheFolder(environment: [:]) == nil)
    }
}
