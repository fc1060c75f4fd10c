public import ClaimsBridgeTransports
import Foundation

extension Watcher {
    /// Re-encrypts everything kept under the current key, in place: the outbox's payloads and replies, the
    /// originals in `archive/` and `error/`, and the rejects files. Plaintext written before encryption was on is
    /// encrypted; what an older key encrypted is re-encrypted; what cannot be read is reported and left alone.
    /// Stopping it midway loses nothing: run it again.
    /// - Returns: what was done in the outbox, and in the files.
    public func rekey() throws -> (outbox: RekeySummary, files: RekeySummary) {
        guard let cipher = configuration.payloadCipher else {
            throw WatchError("encryption is not configured (`encryption:` in the delivery configuration)")
        }
        let outbox = configuration.outboxExists ? try openOutbox().rekey() : RekeySummary()
        var files = RekeySummary()
        func reseal(_ path: String, context: [UInt8]) {
            do {
                if try SealedFiles.reseal(path, cipher: cipher, context: context) {
                    files.rekeyed += 1
                } else {
                    files.alreadyCurrent += 1
                }
            } catch {
                files.failures.append("\(error)")
            }
        }
        if ledgerLocation.exists {
            let keptFolders = configuration.routes.flatMap { [$0.archiveDirectory + "/", $0.errorDirectory + "/"] }
            for file in try Ledger(location: ledgerLocation).keptOriginals()
            where keptFolders.contains(where: file.path.hasPrefix) && DurableFiles.exists(file.path) {
                reseal(file.path, context: SealedFiles.originalContext(sha256: file.sha256))
            }
        }
        for route in configuration.routes {
            for day in Self.dayFolders(in: route.rejectsDirectory) {
                let folder = route.rejectsDirectory + "/" + day
                for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !name.hasPrefix(".") {
                    reseal(folder + "/" + name, context: Array("rejects".utf8))
                }
            }
        }
        return (outbox, files)
    }
}
