public import ClaimsBridge

/// Delivers each payload as a file in a partner's SFTP drop folder, through libcurl (libssh2).
///
/// Login is by key only, and the server's host key must match ``SFTPConnection/hostKey``. The file is uploaded as
/// `<name>.part` and renamed to its final name, so the partner never picks up half a file. The name comes from a
/// ``FileNamePattern`` with the idempotency key: before uploading, the transport looks for the name, and a file
/// already there with the same bytes is reported as ``DeliveryReceipt/alreadyPresent`` instead of sent again.
public struct SFTPTransport: Transport {
    /// The remote operations.
    public let client: SFTPClient
    /// The remote folder; a relative path is below the login's home.
    public let directory: String
    /// How remote files are named.
    public let namePattern: FileNamePattern

    /// Creates the transport.
    /// - Throws: ``TransportError`` (`invalidConfiguration`) for a bad name pattern.
    public init(connection: SFTPConnection, directory: String, namePattern: String = "{key}") throws(TransportError) {
        client = SFTPClient(connection: connection)
        self.directory = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.namePattern = try FileNamePattern(namePattern)
    }

    public var endpointDescription: String { client.connection.url(directory) }

    public func deliver(_ delivery: OutgoingDelivery) async throws(TransportError) -> DeliveryReceipt {
        let name = namePattern.fileName(for: delivery)
        let path = directory.isEmpty ? name : directory + "/" + name
        let client = self.client
        let directory = self.directory
        return try await BlockingWork.run { () throws(TransportError) in
            let location = client.connection.url(path)
            func alreadyThere() throws(TransportError) -> Bool {
                let names = (try? client.list(directory: directory)) ?? []
                guard names.contains(name) else { return false }
                guard try client.download(path: path) == delivery.payload else {
                    throw TransportError(
                        .conflict, retryable: false, "\(location) already exists with different content")
                }
                return true
            }
            if try alreadyThere() { return DeliveryReceipt(location: location, alreadyPresent: true) }
            do throws(TransportError) {
                try client.upload(delivery.payload, to: path)
            } catch {
                // The rename refuses an existing name: another attempt may have finished first.
                if error.code == .io, try alreadyThere() {
                    return DeliveryReceipt(location: location, alreadyPresent: true)
                }
                throw error
            }
            return DeliveryReceipt(location: location)
        }
    }
}
