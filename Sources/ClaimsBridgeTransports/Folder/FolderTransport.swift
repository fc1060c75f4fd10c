public import ClaimsBridge
public import ClaimsBridgeStorage
import Foundation

/// Delivers each payload as a file in a local (or mounted) folder.
///
/// The file is written under a hidden temporary name (`.<name>.<random>.tmp`), flushed to disk, then linked to
/// its final name — which fails rather than overwrite — and the folder itself is flushed, so a reader sees either
/// no file or the whole file. The name comes from ``FileNamePattern`` and contains the idempotency key: a
/// re-delivery finds its file already there with the same bytes and reports ``DeliveryReceipt/alreadyPresent``;
/// a different file with that name is a permanent `conflict`. A name that would pass the 255-byte limit (with
/// its temporary and marker suffixes) is shortened, keeping the key and the extension. An optional done-marker
/// (`<name><suffix>`, empty) is written after the file, for receivers that wait for one.
public struct FolderTransport: Transport {
    /// The folder files are written to.
    public let directory: String
    /// How files are named.
    public let namePattern: FileNamePattern
    /// The suffix of the done-marker file (e.g. `.done`), or nil for none.
    public let doneMarkerSuffix: String?
    /// The mode and group of the delivered files: owner-only (`0600`) unless the receiver reads them under another
    /// account.
    public let permissions: FilePermissions

    /// Creates the transport. The folder must exist when a delivery is made (a missing folder is retryable, as a
    /// mount may come back).
    /// - Throws: ``TransportError`` (`invalidConfiguration`) for a bad pattern or marker suffix.
    public init(
        directory: String, namePattern: String = "{key}", doneMarkerSuffix: String? = nil,
        permissions: FilePermissions = .ownerOnly
    ) throws(TransportError) {
        self.directory = directory
        self.permissions = permissions
        self.namePattern = try FileNamePattern(namePattern)
        if let doneMarkerSuffix, doneMarkerSuffix.isEmpty || doneMarkerSuffix.contains("/") {
            throw TransportError(.invalidConfiguration, retryable: false, "the done-marker suffix must be like .done")
        }
        self.doneMarkerSuffix = doneMarkerSuffix
    }

    public var endpointDescription: String { "folder \(directory)" }

    /// The longest file name delivered, leaving room for the done-marker suffix and the temporary name.
    var maxNameBytes: Int {
        FileNameLength.limit - FileNamePattern.temporaryNameReserve - (doneMarkerSuffix?.utf8.count ?? 0)
    }

    /// Removes temporaries left in the folder by a writer that was killed (see ``StaleTemporaries``).
    /// - Returns: the names removed.
    @discardableResult
    public func removeStaleTemporaries(safeAge: Double = 3600) -> [String] {
        StaleTemporaries.folderTransport(safeAge: safeAge).remove(in: directory)
    }

    public func deliver(_ delivery: OutgoingDelivery) async throws(TransportError) -> DeliveryReceipt {
        let writer = AtomicFileWriter(directory: directory, permissions: permissions)
        let name = namePattern.fileName(for: delivery, maxBytes: maxNameBytes)
        let marker = doneMarkerSuffix.map { name + $0 }
        return try await BlockingWork.run { () throws(TransportError) in
            let alreadyPresent = try writer.writeNew(name: name, bytes: delivery.payload)
            if let marker { _ = try writer.writeNew(name: marker, bytes: []) }
            return DeliveryReceipt(location: writer.path(name), alreadyPresent: alreadyPresent)
        }
    }
}
