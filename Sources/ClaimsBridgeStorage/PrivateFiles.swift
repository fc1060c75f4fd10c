public import Foundation

/// Who may read a file or folder ClaimsBridge creates: owner-only (`0600` files, `0700` folders) unless a
/// setup needs another account to read it (`fileMode: "0640"`, `group: billing`).
public struct FilePermissions: Sendable, Equatable {
    /// The mode of files created; folders get the same bits plus search (`x`) wherever reading is allowed.
    public var fileMode: mode_t
    /// The group files and folders are given, or nil to keep the creator's.
    public var group: gid_t?

    /// `0600` files, `0700` folders, the creator's group.
    public static let ownerOnly = FilePermissions(fileMode: 0o600)

    public init(fileMode: mode_t, group: gid_t? = nil) {
        self.fileMode = fileMode
        self.group = group
    }

    /// Reads a configured mode (`"0640"`, octal) and group name.
    /// - Throws: a message saying what is wrong, for the caller to put at the setting's `file:line`.
    public init(mode text: String?, group name: String?) throws(PermissionSettingError) {
        var mode: mode_t = 0o600
        if let text {
            guard let parsed = mode_t(text, radix: 8), text.count <= 4, parsed & ~0o666 == 0, parsed & 0o600 == 0o600
            else {
                throw PermissionSettingError(
                    "`\(text)` is not a file mode such as 0600 or 0640 (octal; the owner must read and write; no execute bits)")
            }
            mode = parsed
        }
        var gid: gid_t?
        if let name {
            guard let entry = getgrnam(name) else { throw PermissionSettingError("there is no group `\(name)` on this machine") }
            gid = entry.pointee.gr_gid
        }
        self.init(fileMode: mode, group: gid)
    }

    /// The folder mode matching ``fileMode``: read/write bits, plus search wherever reading is allowed.
    public var directoryMode: mode_t { fileMode | ((fileMode & 0o444) >> 2) }
}

/// A configured mode or group that cannot be used.
public struct PermissionSettingError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Creates files and folders with exactly the mode asked for, whatever the process umask, and without a moment
/// in which they are more open: the mode is given to `open(2)`/`mkdir(2)` and, where the umask narrowed it, set
/// on the new, still empty file or folder before anything is written into it.
public enum PrivateFiles {
    /// Creates the new file `path` (failing if it exists) and returns its open, write-only descriptor.
    /// - Throws: ``PrivateFileError`` with the system's reason.
    public static func create(_ path: String, permissions: FilePermissions = .ownerOnly) throws(PrivateFileError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions.fileMode)
        guard descriptor >= 0 else { throw PrivateFileError("cannot create", path) }
        do throws(PrivateFileError) {
            try apply(permissions, mode: permissions.fileMode, descriptor: descriptor, path: path)
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        return descriptor
    }

    /// Opens `path` for writing from the start: a new file is created as ``create(_:permissions:)`` does; an
    /// existing one is truncated and keeps the mode its owner gave it.
    public static func createOrTruncate(_ path: String, permissions: FilePermissions = .ownerOnly)
        throws(PrivateFileError) -> Int32
    {
        while true {
            do throws(PrivateFileError) {
                return try create(path, permissions: permissions)
            } catch where error.code == EEXIST {
                let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
                if descriptor >= 0 { return descriptor }
                if errno != ENOENT { throw PrivateFileError("cannot open", path) }
            }
        }
    }

    /// Creates an empty file at `path` unless something is there already (so that a program creating it later,
    /// such as SQLite, finds it with the right mode; SQLite gives its `-wal` and `-shm` files the same mode).
    public static func createIfMissing(_ path: String, permissions: FilePermissions = .ownerOnly) throws(PrivateFileError) {
        do throws(PrivateFileError) {
            close(try create(path, permissions: permissions))
        } catch where error.code == EEXIST {
        }
    }

    /// Creates the folder `path` and any missing parents, each with ``FilePermissions/directoryMode``; folders
    /// already there are left as they are.
    public static func makeDirectory(_ path: String, permissions: FilePermissions = .ownerOnly) throws(PrivateFileError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw PrivateFileError("not a folder:", path, code: ENOTDIR) }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeDirectory(parent, permissions: permissions) }
        guard mkdir(path, permissions.directoryMode) == 0 else {
            if errno == EEXIST { return }
            throw PrivateFileError("cannot create the folder", path)
        }
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PrivateFileError("cannot open the folder", path) }
        defer { close(descriptor) }
        try apply(permissions, mode: permissions.directoryMode, descriptor: descriptor, path: path)
    }

    /// Sets the group, then the exact mode (which the umask may have narrowed, and `fchown` may have cleared
    /// bits of), on a file or folder just created and still empty.
    private static func apply(_ permissions: FilePermissions, mode: mode_t, descriptor: Int32, path: String)
        throws(PrivateFileError)
    {
        if let group = permissions.group, fchown(descriptor, uid_t.max, group) != 0 {
            throw PrivateFileError("cannot give the group \(group) to", path)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw PrivateFileError("cannot read the mode of", path) }
        if info.st_mode & 0o7777 != mode, fchmod(descriptor, mode) != 0 {
            throw PrivateFileError("cannot set the mode of", path)
        }
    }
}

/// A file or folder that could not be created with its permissions, with the system's reason.
public struct PrivateFileError: Error, CustomStringConvertible {
    /// The `errno` value.
    public let code: Int32
    public let description: String

    init(_ what: String, _ path: String, code: Int32 = errno) {
        self.code = code
        description = "\(what) \(path): \(String(cString: strerror(code)))"
    }
}
