import ClaimsBridge
import ClaimsBridgeStorage
import Foundation

/// Writes a file into a folder atomically and without overwriting: temporary file, `fsync`, `link` to the final
/// name (which refuses an existing name), `fsync` of the folder.
/// The file and its temporary are created with `permissions` (owner-only unless configured) from the start.
struct AtomicFileWriter: Sendable {
    let directory: String
    var permissions: FilePermissions = .ownerOnly

    func path(_ name: String) -> String { directory + "/" + name }

    /// Writes `bytes` as `name`.
    /// - Returns: true when a file with that name and exactly these bytes was already there (nothing written).
    /// - Throws: `conflict` when a different file has the name; retryable `io` for file system failures.
    func writeNew(name: String, bytes: [UInt8]) throws(TransportError) -> Bool {
        let target = path(name)
        if let existing = FileManager.default.contents(atPath: target) {
            return try sameOrConflict(existing, bytes, name: name)
        }
        let temporary = path(Self.temporaryName(for: name))
        let descriptor: Int32
        do throws(PrivateFileError) {
            descriptor = try PrivateFiles.create(temporary, permissions: permissions)
        } catch {
            errno = error.code
            throw failure("cannot create a file in", directory)
        }
        defer { unlink(temporary) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                close(descriptor)
                throw failure("cannot write", temporary)
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            close(descriptor)
            throw failure("cannot flush", temporary)
        }
        close(descriptor)
        if link(temporary, target) != 0 {
            let code = errno
            if code == EEXIST, let existing = FileManager.default.contents(atPath: target) {
                return try sameOrConflict(existing, bytes, name: name)
            }
            guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP else { throw failure("cannot create", target) }
            // File systems without hard links: the existence check above is the guard.
            guard rename(temporary, target) == 0 else { throw failure("cannot rename into", target) }
        }
        try syncDirectory()
        return false
    }

    private func sameOrConflict(_ existing: Data, _ bytes: [UInt8], name: String) throws(TransportError) -> Bool {
        guard existing.elementsEqual(bytes) else {
            throw TransportError(
                .conflict, retryable: false,
                "\(path(name)) already exists with different content; it is never overwritten")
        }
        return true
    }

    private func syncDirectory() throws(TransportError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush", directory) }
    }

    /// `.<name>.<random>.tmp`, with `name` shortened if needed so the whole stays within ``FileNameLength/limit``.
    static func temporaryName(for name: String) -> String {
        let random = String(UInt64.random(in: 0...UInt64.max))
        let room = FileNameLength.limit - 6 - random.utf8.count
        return ".\(FileNameLength.prefix(name, maxBytes: room)).\(random).tmp"
    }

    /// Whether `name` is one of ours from ``temporaryName(for:)``.
    static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let parts = name.dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, let random = parts.last else { return false }
        return (1...20).contains(random.utf8.count) && random.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// A failure: permanent when the name itself is refused (too long, or invalid on this file system), since
    /// trying again would fail the same way; otherwise retryable (a full disk, a missing mount may recover).
    private func failure(_ what: String, _ path: String) -> TransportError {
        let code = errno
        let permanent = code == ENAMETOOLONG || code == EILSEQ || code == EINVAL
        return TransportError(.io, retryable: !permanent, "\(what) \(path): \(String(cString: strerror(code)))")
    }
}
