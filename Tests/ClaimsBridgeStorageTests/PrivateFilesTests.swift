import ClaimsBridgeStorage
import Foundation
import Testing

/// The mode bits of `path` (without following nothing: a plain `stat`).
func mode(of path: String) -> mode_t {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0o7777 }
    return info.st_mode & 0o7777
}

/// Runs `body` with the process umask set to `mask`, restoring it after.
func withUmask<T>(_ mask: mode_t, _ body: () throws -> T) rethrows -> T {
    let previous = umask(mask)
    defer { umask(previous) }
    return try body()
}

func scratchFolder() throws -> String {
    let path = NSTemporaryDirectory() + "private-files-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("Private files", .serialized)
struct PrivateFilesTests {
    @Test("Files and folders are created owner-only under umask 022")
    func ownerOnlyUnderUsualUmask() throws {
        let folder = try scratchFolder()
        try withUmask(0o022) {
            try PrivateFiles.makeDirectory(folder + "/a/b/c")
            close(try PrivateFiles.create(folder + "/a/b/c/file"))
            close(try PrivateFiles.createOrTruncate(folder + "/a/out"))
        }
        for path in ["/a", "/a/b", "/a/b/c"] { #expect(mode(of: folder + path) == 0o700, "\(path)") }
        #expect(mode(of: folder + "/a/b/c/file") == 0o600)
        #expect(mode(of: folder + "/a/out") == 0o600)
    }

    @Test("A configured mode is applied exactly, even when the umask would narrow it")
    func configuredModeDespiteNarrowUmask() throws {
        let folder = try scratchFolder()
        let shared = FilePermissions(fileMode: 0o640)
        try withUmask(0o077) {
            try PrivateFiles.makeDirectory(folder + "/shared", permissions: shared)
            close(try PrivateFiles.create(folder + "/shared/file", permissions: shared))
        }
        #expect(mode(of: folder + "/shared") == 0o750)
        #expect(mode(of: folder + "/shared/file") == 0o640)
    }

    @Test("A configured group is given to new files and folders by name")
    func configuredGroup() throws {
        let folder = try scratchFolder()
        let group = try #require(getgrgid(getgid())).pointee
        let shared = try FilePermissions(mode: "0640", group: String(cString: group.gr_name))
        #expect(shared.group == group.gr_gid)
        try PrivateFiles.makeDirectory(folder + "/g", permissions: shared)
        close(try PrivateFiles.create(folder + "/g/file", permissions: shared))
        for path in ["/g", "/g/file"] {
            var info = stat()
            stat(folder + path, &info)
            #expect(info.st_gid == group.gr_gid, "\(path)")
        }
        #expect(mode(of: folder + "/g/file") == 0o640)
    }

    @Test("An existing output file is truncated and keeps its owner's mode; create refuses an existing name")
    func existingFiles() throws {
        let folder = try scratchFolder()
        let path = folder + "/existing"
        try Data("old content".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o640)
        close(try PrivateFiles.createOrTruncate(path))
        #expect(mode(of: path) == 0o640)
        #expect(FileManager.default.contents(atPath: path)?.isEmpty == true)
        #expect(throws: PrivateFileError.self) { try PrivateFiles.create(path) }
    }

    @Test("The database file and its -wal and -shm files are owner-only under umask 022")
    func databaseFiles() throws {
        let folder = try scratchFolder()
        let path = folder + "/store.sqlite"
        let database = try withUmask(0o022) { try SQLiteDatabase(path: path) }
        try database.execute("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('Jane Doe')")
        for suffix in ["", "-wal", "-shm"] {
            #expect(FileManager.default.fileExists(atPath: path + suffix), "\(suffix)")
            #expect(mode(of: path + suffix) == 0o600, "\(suffix)")
        }
    }

    @Test("A mode that is not octal, lets the owner not write, or is executable is refused; so is an unknown group")
    func badSettings() {
        for text in ["0644x", "0755", "0400", "06400", "rw-r-----"] {
            #expect(throws: PermissionSettingError.self, "\(text)") { try FilePermissions(mode: text, group: nil) }
        }
        #expect((try? FilePermissions(mode: "640", group: nil))?.fileMode == 0o640)
        #expect(throws: PermissionSettingError.self) { try FilePermissions(mode: nil, group: "no-such-group-here") }
    }

    @Test("A file or folder open to other accounts is reported with the chmod that fixes it")
    func exposure() throws {
        let folder = try scratchFolder()
        chmod(folder, 0o755)
        let file = folder + "/key"
        try Data("secret".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o644)
        #expect(
            FileExposure.problem("the key", at: file)
                == "the key \(file) is open to its group and other accounts (mode 644); run chmod 600 \(file)")
        #expect(FileExposure.problem("the state folder", at: folder)?.contains("run chmod 700") == true)
        #expect(FileExposure.problem("the key", at: file, allowed: FilePermissions(fileMode: 0o644)) == nil)
        chmod(file, 0o640)
        #expect(FileExposure.problem("the key", at: file)?.contains("open to its group (mode 640)") == true)
        chmod(file, 0o600)
        #expect(FileExposure.problem("the key", at: file) == nil)
        #expect(FileExposure.problem("the key", at: folder + "/missing") == nil)
    }
}
