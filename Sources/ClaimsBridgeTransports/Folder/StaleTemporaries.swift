import Foundation

/// Finds and removes the hidden temporary files a writer leaves behind when it is killed mid-write, or between
/// linking a finished temporary to its final name and unlinking the temporary.
///
/// Only files whose names the caller recognises as its own are considered, and of those only the ones no writer
/// can still need: a temporary with a second link (its final name already holds the same bytes), one whose
/// writing process is known to be gone, or one unchanged for longer than `safeAge`.
public struct StaleTemporaries: Sendable {
    /// How long a temporary must be left unchanged before it is taken as abandoned; one hour by default, far
    /// longer than writing any payload takes.
    public var safeAge: Double
    /// Whether a file name is one of the caller's own temporaries.
    public var isOwn: @Sendable (String) -> Bool
    /// The writing process's id recorded in the name, if the naming records one.
    public var writerProcess: @Sendable (String) -> Int32?

    /// - Parameters:
    ///   - safeAge: seconds since the last change after which a temporary is abandoned.
    ///   - isOwn: recognises the caller's temporaries by name.
    ///   - writerProcess: the writer's process id from the name, or nil when the name has none.
    public init(
        safeAge: Double = 3600, isOwn: @escaping @Sendable (String) -> Bool,
        writerProcess: @escaping @Sendable (String) -> Int32? = { _ in nil }
    ) {
        self.safeAge = safeAge
        self.isOwn = isOwn
        self.writerProcess = writerProcess
    }

    /// The temporaries of ``FolderTransport`` (`.<name>.<random digits>.tmp`).
    public static func folderTransport(safeAge: Double = 3600) -> StaleTemporaries {
        StaleTemporaries(safeAge: safeAge, isOwn: AtomicFileWriter.isTemporaryName)
    }

    /// Removes the abandoned temporaries directly in `directory` (a missing folder has none).
    /// - Returns: the names removed.
    @discardableResult
    public func remove(in directory: String) -> [String] {
        let now = Date().timeIntervalSince1970
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(".") && isOwn(name) {
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let age = now - (Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            let writerGone = writerProcess(name).map { !Self.isAlive($0) } ?? false
            guard info.st_nlink > 1 || writerGone || age > safeAge else { continue }
            if unlink(path) == 0 { removed.append(name) }
        }
        return removed
    }

    /// Whether a process with this id exists (one we may not signal still exists).
    static func isAlive(_ process: Int32) -> Bool {
        guard process > 0 else { return false }
        return kill(process, 0) == 0 || errno == EPERM
    }
}
