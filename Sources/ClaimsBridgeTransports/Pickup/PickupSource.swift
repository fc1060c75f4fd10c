public import ClaimsBridge
import Foundation

/// A place replies are fetched from: a partner's SFTP folder, or a local folder another program writes to.
/// Calls block; run them off the cooperative pool.
public protocol PickupSource: Sendable {
    /// Where it is, for logs and the ledger (no credentials), e.g. `sftp://ramq@sftp.example:22/outgoing`.
    var description: String { get }
    /// The names of the files waiting.
    func list() throws(TransportError) -> [String]
    /// The bytes of one file.
    func download(_ name: String) throws(TransportError) -> [UInt8]
    /// Removes one file once it is recorded and handed over.
    func remove(_ name: String) throws(TransportError)
}

/// Files in a partner's SFTP folder.
public struct SFTPPickupSource: PickupSource {
    let client: SFTPClient
    let folder: String

    public init(connection: SFTPConnection, folder: String) {
        client = SFTPClient(connection: connection)
        self.folder = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
    }

    public var description: String {
        "sftp://\(client.connection.user)@\(client.connection.host):\(client.connection.port)\(folder.hasPrefix("/") ? "" : "/")\(folder)"
    }

    public func list() throws(TransportError) -> [String] {
        try client.list(directory: folder.isEmpty ? "." : folder).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".part") }
    }

    public func download(_ name: String) throws(TransportError) -> [UInt8] { try client.download(path: path(name)) }

    public func remove(_ name: String) throws(TransportError) { try client.remove(path: path(name)) }

    private func path(_ name: String) -> String { folder.isEmpty ? name : folder + "/" + name }
}

/// Files in a local folder (hidden files and `*.part` are left alone, as another program may still be writing them).
public struct FolderPickupSource: PickupSource {
    let folder: String

    public init(folder: String) { self.folder = folder }

    public var description: String { "folder \(folder)" }

    public func list() throws(TransportError) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw TransportError(.io, retryable: true, "the folder \(folder) cannot be read")
        }
        return names.filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".") && !name.hasSuffix(".part")
                && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder) && !isFolder.boolValue
        }.sorted()
    }

    public func download(_ name: String) throws(TransportError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
            throw TransportError(.io, retryable: true, "\(name) cannot be read from \(folder)")
        }
        return Array(data)
    }

    public func remove(_ name: String) throws(TransportError) {
        guard unlink(folder + "/" + name) == 0 || errno == ENOENT else {
            throw TransportError(.io, retryable: true, "\(name) cannot be removed from \(folder)")
        }
    }
}
