import ClaimsBridge
import ClaimsBridgeStorage
import ClaimsBridgeTransports
import Foundation

/// File moves and writes that survive a crash: write under a temporary name, fsync, rename, fsync the folder.
enum DurableFiles {
    /// An error naming the file and the system's reason.
    static func failure(_ what: String, _ path: String) -> WatchError {
        WatchError("\(what) \(path): \(String(cString: strerror(errno)))")
    }

    /// Creates `path` and its missing parents, owner-only (`0700`) unless `permissions` say otherwise.
    static func makeDirectory(_ path: String, permissions: FilePermissions = .ownerOnly) throws {
        do {
            try PrivateFiles.makeDirectory(path, permissions: permissions)
        } catch {
            throw WatchError("\(error)")
        }
    }

    /// Writes `bytes` to `path` atomically: a reader sees either nothing or the whole file. The file (and its
    /// temporary, from the moment it exists) is owner-only (`0600`).
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = temporaryName(for: path)
        unlink(temporary)  // a leftover of a crash mid-write
        let descriptor: Int32
        do {
            descriptor = try PrivateFiles.create(temporary)
        } catch {
            throw WatchError("\(error)")
        }
        var output = FileDescriptorOutput(descriptor: descriptor, name: temporary)
        do {
            try bytes.withUnsafeBytes { try output.write($0) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw WatchError("cannot write \(temporary): \(error)")
        }
        guard fsync(descriptor) == 0 else {
            close(descriptor)
            throw failure("cannot flush", temporary)
        }
        close(descriptor)
        try rename(temporary, to: path)
    }

    /// Renames, then flushes both folders now or, with `later`, records them to be flushed together.
    static func rename(_ source: String, to destination: String, later: FolderFlushes? = nil) throws {
        guard Foundation.rename(source, destination) == 0 else { throw failure("cannot move \(source) to", destination) }
        let folders = [(destination as NSString).deletingLastPathComponent, (source as NSString).deletingLastPathComponent]
        if let later {
            later.add(folders)
        } else {
            for folder in Set(folders) { syncDirectory(folder) }
        }
    }

    /// Moves `source` into `folder` under its own name (plus `suffix`), or `name-2`, `name-3`… if that is taken;
    /// never overwrites. Returns the new path. Renaming a file is exclusive: if another process moves it first,
    /// this fails.
    static func moveWithoutOverwriting(
        _ source: String, into folder: String, name: String, suffix: String = "", later: FolderFlushes? = nil
    ) throws -> String {
        let destination = try freePath(in: folder, name: name, suffix: suffix)
        try rename(source, to: destination, later: later)
        return destination
    }

    /// The first of `folder/name`, `folder/name-2`, `folder/name-3`… (each followed by `suffix`) that does not
    /// exist; creates `folder`. A name is shortened (see ``FileNameLength/fitting(_:maxBytes:)``) so that with the
    /// suffix and `reserving` more bytes (for a file to be put beside it) it stays within the file name limit.
    static func freePath(in folder: String, name: String, suffix: String = "", reserving: Int = 0) throws -> String {
        try makeDirectory(folder)
        let room = FileNameLength.limit - suffix.utf8.count - reserving
        var attempt = 1
        while true {
            let candidate = (folder as NSString).appendingPathComponent(
                FileNameLength.fitting(numbered(name, attempt), maxBytes: room) + suffix)
            if !exists(candidate) { return candidate }
            attempt += 1
        }
    }

    /// Writes `bytes` into `folder` under a free name (as ``moveWithoutOverwriting(_:into:name:suffix:later:)``),
    /// flushed to disk.
    static func placeWithoutOverwriting(_ bytes: [UInt8], into folder: String, name: String) throws -> String {
        try makeDirectory(folder)
        let staged = (folder as NSString).appendingPathComponent(WorkFileNames.staged(name))
        try write(bytes, to: staged)
        return try moveWithoutOverwriting(staged, into: folder, name: name)
    }

    /// `claim.txt`, `claim-2.txt`, `claim-3.txt`…
    static func numbered(_ name: String, _ attempt: Int) -> String {
        guard attempt > 1 else { return name }
        let stem = (name as NSString).deletingPathExtension
        let suffix = (name as NSString).pathExtension
        return suffix.isEmpty ? "\(stem)-\(attempt)" : "\(stem)-\(attempt).\(suffix)"
    }

    static func temporaryName(for path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        return (folder as NSString).appendingPathComponent(WorkFileNames.temporary(name))
    }

    static func syncDirectory(_ path: String) {
        let descriptor = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}

/// Folders whose entries changed and are still to be flushed to disk. Moving many files and flushing their
/// folders once afterwards costs one fsync per folder instead of two per file.
final class FolderFlushes {
    private var folders = Set<String>()

    func add(_ paths: [String]) { folders.formUnion(paths) }

    /// Flushes every recorded folder.
    func flush() {
        for folder in folders { DurableFiles.syncDirectory(folder) }
        folders.removeAll(keepingCapacity: true)
    }
}
