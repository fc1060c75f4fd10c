import Foundation
import Testing

@testable import ClaimsBridgeTransports

@Suite("Stale temporaries")
struct StaleTemporariesTests {
    /// Creates `name` in `folder`, last changed `age` seconds ago.
    func make(_ folder: String, _ name: String, age: Double = 0) throws {
        let path = folder + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        if age > 0 {
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: path)
        }
    }

    @Test("A temporary left linked to its final name, or abandoned for an hour, is removed; nothing else is")
    func removesOnlyOurStaleTemporaries() throws {
        let folder = try makeScratchFolder("stale")
        try make(folder, "claim-k1.json")
        // Killed between link and unlink: the temporary is a second link to the delivered file.
        #expect(link(folder + "/claim-k1.json", folder + "/.claim-k1.json.1234567890123.tmp") == 0)
        try make(folder, ".claim-k2.json.987.tmp", age: 2 * 3600)  // killed while writing, long ago
        try make(folder, ".claim-k3.json.555.tmp")  // a writer may still be busy with it
        try make(folder, ".someone-else.tmp", age: 2 * 3600)  // not our naming
        try make(folder, ".claim.json.12x.tmp", age: 2 * 3600)  // not our naming
        try make(folder, "visible.1.tmp", age: 2 * 3600)  // not hidden

        let transport = try FolderTransport(directory: folder)
        let removed = transport.removeStaleTemporaries()
        #expect(Set(removed) == [".claim-k1.json.1234567890123.tmp", ".claim-k2.json.987.tmp"])
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(
            left == [
                ".claim-k3.json.555.tmp", ".claim.json.12x.tmp", ".someone-else.tmp", "claim-k1.json", "visible.1.tmp",
            ])
        #expect(FileManager.default.contents(atPath: folder + "/claim-k1.json") == Data("x".utf8))
        #expect(transport.removeStaleTemporaries().isEmpty)
    }

    @Test("The temporary names the writer makes are recognised as its own")
    func recognisesOwnNames() {
        for name in ["a.json", String(repeating: "é", count: 127) + ".txt"] {
            let temporary = AtomicFileWriter.temporaryName(for: name)
            #expect(temporary.utf8.count <= FileNameLength.limit)
            #expect(AtomicFileWriter.isTemporaryName(temporary), "\(temporary)")
        }
        #expect(!AtomicFileWriter.isTemporaryName(".tmp"))
    }

    @Test("A missing folder has no temporaries")
    func missingFolder() throws {
        #expect(try FolderTransport(directory: "/nonexistent/folder").removeStaleTemporaries().isEmpty)
    }
}
