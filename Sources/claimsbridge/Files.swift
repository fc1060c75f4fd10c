import ArgumentParser
import ClaimsBridge
import ClaimsBridgeStorage
import Foundation

/// Opens a command's input and output files.
///
/// A file that cannot be opened is an I/O failure (exit code 1, no usage text). An output that is the input
/// itself, or another output of the same command, is refused before anything is emptied (exit code 64): a
/// hard link, a symbolic link or another spelling of the path is recognised by its device and inode.
struct CommandFiles {
    private var input: (identity: FileIdentity, option: String)?
    /// The input's size in bytes when it is a regular file.
    var inputSize: Int? { input.flatMap { $0.identity.isRegularFile ? $0.identity.size : nil } }
    private var outputs: [(identity: FileIdentity, option: String)] = []

    /// Opens `path` for reading, or standard input when it is nil.
    mutating func openInput(_ path: String?) throws -> FileDescriptorInput {
        guard let path else {
            input = FileIdentity(descriptor: 0).map { ($0, "standard input") }
            return FileDescriptorInput(descriptor: 0, name: "stdin")
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw BridgeError(.io, "cannot open the input file (\(Files.systemError()))", at: .init(file: path))
        }
        input = FileIdentity(descriptor: descriptor).map { ($0, "--input") }
        return FileDescriptorInput(descriptor: descriptor, name: path)
    }

    /// Opens `path` for writing (created or emptied), or standard output when it is nil.
    /// - Parameter option: the option that named it, for the message when it is refused.
    mutating func openOutput(_ path: String?, option: String = "--output") throws -> FileDescriptorOutput {
        guard let path else { return FileDescriptorOutput(descriptor: 1, name: "stdout") }
        // Opened without O_TRUNC: the file is emptied only once it is known not to be the input. A new file is
        // owner-only (results and rejects hold personal data); an existing one keeps its mode.
        var descriptor = (try? PrivateFiles.create(path)) ?? -1
        if descriptor < 0 { descriptor = open(path, O_WRONLY | O_CLOEXEC) }
        guard descriptor >= 0 else {
            throw BridgeError(.io, "cannot create the output file (\(Files.systemError()))", at: .init(file: path))
        }
        if let identity = FileIdentity(descriptor: descriptor), identity.isRegularFile {
            if let input, input.identity.isSameFile(as: identity) {
                close(descriptor)
                throw ValidationError(
                    "\(option) \(path) is the same file as the \(input.option); writing would destroy the input before it is read. Write to another file and rename it afterwards."
                )
            }
            if let other = outputs.first(where: { $0.identity.isSameFile(as: identity) }) {
                close(descriptor)
                throw ValidationError("\(option) \(path) is the same file as \(other.option); give each its own file")
            }
            outputs.append((identity, option))
            guard ftruncate(descriptor, 0) == 0 else {
                let reason = Files.systemError()
                close(descriptor)
                throw BridgeError(.io, "cannot empty the output file (\(reason))", at: .init(file: path))
            }
        }
        return FileDescriptorOutput(descriptor: descriptor, name: path)
    }
}

/// A file's device and inode: equal for every path (and link) that names the same file.
struct FileIdentity {
    var device: UInt64
    var inode: UInt64
    var isRegularFile: Bool
    var size: Int

    /// Whether both name the same file (size and type aside).
    func isSameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }

    init?(descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        isRegularFile = (status.st_mode & S_IFMT) == S_IFREG
        size = Int(status.st_size)
    }
}

/// Small helpers for the commands' output.
enum Files {
    static func printError(_ text: String) {
        var line = Array(text.utf8)
        line.append(0x0A)
        line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// The system's words for the last failed call (`errno`), e.g. "No such file or directory".
    static func systemError() -> String { String(cString: strerror(errno)) }
}
