internal import CCurl
public import ClaimsBridge
import Foundation

/// Remote file operations on an SFTP server: upload with an atomic rename, listing, download and removal (for
/// picking up replies). Each call opens its own connection; calls block, so run them off the cooperative pool.
public struct SFTPClient: Sendable {
    /// The server and login.
    public let connection: SFTPConnection

    /// Creates a client.
    public init(connection: SFTPConnection) { self.connection = connection }

    /// The names of the entries in `directory` (without `.` and `..`).
    /// - Throws: ``TransportError``.
    public func list(directory: String) throws(TransportError) -> [String] {
        let path = directory.hasSuffix("/") ? directory : directory + "/"
        let request = try connection.request(path, responseLimit: 16 << 20)
        try request.set(CURLOPT_DIRLISTONLY, 1)
        try connection.perform(request, path)
        return String(decoding: request.responseBody, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map(String.init).filter { $0 != "." && $0 != ".." }
    }

    /// The bytes of a remote file (at most `limit` bytes are kept).
    /// - Throws: ``TransportError``.
    public func download(path: String, limit: Int = 256 << 20) throws(TransportError) -> [UInt8] {
        let request = try connection.request(path, responseLimit: limit)
        try connection.perform(request, path)
        return request.responseBody
    }

    /// Removes a remote file.
    /// - Throws: ``TransportError``.
    public func remove(path: String) throws(TransportError) {
        let request = try connection.request(parent(of: path) + "/")
        try request.set(CURLOPT_NOBODY, 1)
        try request.set(CURLOPT_QUOTE, list: ["rm \(Self.quoted(path))"])
        try connection.perform(request, path)
    }

    /// Uploads `bytes` to `<path>.part` (creating missing folders), then renames it to `path`. The rename fails
    /// rather than replace an existing file.
    /// - Throws: ``TransportError``.
    public func upload(_ bytes: [UInt8], to path: String) throws(TransportError) {
        let partial = path + ".part"
        let request = try connection.request(partial)
        try request.set(CURLOPT_FTP_CREATE_MISSING_DIRS, Int(CURLFTP_CREATE_DIR.rawValue))
        try request.setUpload(bytes, asPost: false)
        try request.set(CURLOPT_POSTQUOTE, list: ["rename \(Self.quoted(partial)) \(Self.quoted(path))"])
        try connection.perform(request, path)
    }

    func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// A path as a quoted argument of an SFTP quote command.
    static func quoted(_ path: String) -> String {
        "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
