import ClaimsBridge
import ClaimsBridgeStorage
import Foundation
import Logging

/// Takes one route's files from the inbox to the outbox: claim, record, translate, queue, file away.
/// Everything it does is recorded in the ledger first or made idempotent, so it can be stopped at any
/// point and ``resumeFilesInHand()`` finishes the work without losing or repeating anything.
final class FileProcessor {
    let route: Route
    let ledger: Ledger
    let queue: any DeliveryQueue
    let translator: RouteTranslator
    /// Which messages are requests, what responses answer, which numbers requests get: from the layouts.
    let rules: TransactionRules
    let logger: Logger
    /// Encrypts what is kept after processing (originals, rejects files); nil keeps them as they are.
    let cipher: PayloadCipher?
    /// Folder changes (claims, archiving) not yet flushed to disk; see ``flushFolders()``.
    let pendingFlushes = FolderFlushes()
    /// Called after each step; a test throws here to simulate a crash at that point.
    var afterStep: ((ProcessingStep, _ name: String) throws -> Void)?
    /// Where header numbers come from when not from the ledger (the PostgreSQL store).
    var numbers: (any SequenceAllocating)?
    /// Claims in the shared store, when several machines watch this route's inbox; nil when the rename into
    /// `processing/` is the claim (one machine).
    var claims: InboxClaimKeeper? {
        didSet { workTag = claims?.workTag ?? "" }
    }
    /// Prefixes the names of this worker's work files, so workers sharing `processing/` keep theirs apart.
    private var workTag = ""

    init(
        route: Route, ledger: Ledger, queue: any DeliveryQueue, resources: TranslationResources,
        cipher: PayloadCipher? = nil, logger: Logger
    ) throws {
        self.route = route
        self.cipher = cipher
        self.ledger = ledger
        self.queue = queue
        self.translator = try RouteTranslator(route: route, resources: resources, logger: logger)
        self.rules = try TransactionRules(catalog: resources.catalog)
        var logger = logger
        logger[metadataKey: "route"] = "\(route.name)"
        self.logger = logger
    }

    /// Creates the route's folders.
    func prepareFolders() throws {
        for folder in [route.inbox, route.processingDirectory, route.archiveDirectory, route.errorDirectory, route.rejectsDirectory] {
            try DurableFiles.makeDirectory(folder)
        }
    }

    /// Claims and processes one ready inbox file. Returns nil when another process claimed it first.
    @discardableResult
    func process(inboxName name: String) throws -> LedgerFile? {
        let source = route.inbox + "/" + name
        var shared: InboxClaim?
        if let claims {
            guard let granted = try claims.claim(route: route.name, name: name, path: source) else { return nil }
            shared = granted
        }
        let claimed: String
        do {
            claimed = try DurableFiles.moveWithoutOverwriting(
                source, into: route.processingDirectory, name: name, later: pendingFlushes)
        } catch {
            if !DurableFiles.exists(source) { return nil }
            throw error
        }
        if let shared { claims?.hold(shared, at: claimed) }
        if case .doneMarker(let suffix) = route.readiness { unlink(source + suffix) }
        // The original stays in processing/ and archive/: owner-only from now (a file another account dropped
        // keeps its mode; the 0700 folders still keep it from other accounts).
        chmod(claimed, 0o600)
        try afterStep?(.claimed, name)
        guard let id = try record(claimedPath: claimed, name: name, reprocessOf: nil) else { return nil }
        return try resume(id)
    }

    /// Flushes the folders of the claims and archive moves made so far. The watcher calls this after each
    /// batch: a process crash loses nothing either way, and after a power failure a file whose move was lost is
    /// taken again and delivered under the same idempotency key, which receivers recognise.
    func flushFolders() {
        pendingFlushes.flush()
    }

    /// Records a file already in `processing/` (just claimed, or found there after a crash); nil when another
    /// process on the same ledger recorded it first as its own file in hand (two processes sharing a state folder:
    /// one claimed the file, the other found it in `processing/` before it was recorded), which carries it on.
    func record(claimedPath: String, name: String, reprocessOf: Int64?) throws -> Int64? {
        let digest = try FileDigest.sha256(path: claimedPath)
        guard
            let id = try ledger.recordClaimUnlessInHand(
                route: route.name, name: name, path: claimedPath, sha256: digest.hex, size: digest.size,
                reprocessOf: reprocessOf)
        else {
            logger.notice("another process recorded this file first and carries it on")
            return nil
        }
        logger.info("claimed", metadata: ["file": "\(id)", "bytes": "\(digest.size)"])
        try afterStep?(.recorded, name)
        return id
    }

    /// Finishes every file this route has in `processing/`: those the ledger knows, then any it does not
    /// (claimed just before a crash, not yet recorded). With shared inboxes the ledger is shared too, and holds the
    /// files other workers have in hand: only those this worker holds (its own after a restart, or a dead worker's
    /// whose lease ran out, which it takes over) are touched.
    func resumeFilesInHand() throws {
        for file in try ledger.filesInHand(processingDirectories: [route.processingDirectory]) where file.route == route.name {
            if DurableFiles.exists(file.path) {
                // With shared inboxes, another worker's file in hand is left alone until its lease runs out.
                guard try claimInHand(file.path) else { continue }
                try resume(file.id)
                continue
            }
            // The original has left processing/: read the record again, as its holder may have just filed it away.
            guard let file = try ledger.file(file.id), file.finishedAt == nil else { continue }
            if let claims, try !claims.takeUpMovedFile(route: route.name, name: file.name, size: file.size) {
                continue
            }
            if let planned = file.movingTo, DurableFiles.exists(planned) {
                // Stopped between moving the original out and recording it.
                try ledger.moveOriginal(file.id, to: planned, finished: true)
            } else {
                logger.warning("the original of a file in hand is missing", metadata: ["file": "\(file.id)"])
                try ledger.markFailed(file.id, reason: "the original disappeared from processing/ while in hand")
                try ledger.moveOriginal(file.id, to: file.path, finished: true)
            }
        }
        for name in Self.originals(in: route.processingDirectory) {
            let path = route.processingDirectory + "/" + name
            if try ledger.file(atPath: path) == nil {
                // With shared inboxes, another worker's file in hand is left alone until its lease runs out.
                guard try claimInHand(path) else { continue }
                guard let id = try record(claimedPath: path, name: name, reprocessOf: nil) else { continue }
                try resume(id)
            }
        }
    }

    /// Claims a file found in `processing/` (this worker's own after a restart, or a dead worker's after its lease):
    /// true when this worker may carry it on.
    private func claimInHand(_ path: String) throws -> Bool {
        guard let claims else { return true }
        let name = (path as NSString).lastPathComponent
        guard let claim = try claims.claim(route: route.name, name: name, path: path) else { return false }
        claims.hold(claim, at: path)
        return true
    }

    /// The files in `processing/` other workers hold (with shared inboxes): those this worker has no claim on.
    func othersInHand() -> Int {
        guard let claims else { return 0 }
        return Self.originals(in: route.processingDirectory).filter {
            claims.claim(at: route.processingDirectory + "/" + $0) == nil
        }.count
    }

    /// Carries a recorded file on from whatever step it reached.
    @discardableResult
    func resume(_ id: Int64) throws -> LedgerFile? {
        guard var file = try ledger.file(id) else { return nil }
        let inHand = file.path
        if file.state == .claimed {
            try claims?.confirm(inHand)
            file = try translateAndQueue(file)
        }
        if file.finishedAt == nil {
            try claims?.confirm(inHand)
            file = try fileAway(file)
        }
        return file
    }

    private func translateAndQueue(_ file: LedgerFile) throws -> LedgerFile {
        if !route.allowsResubmission, file.reprocessOf == nil,
            let original = try ledger.processedFile(route: route.name, sha256: file.sha256, other: file.id)
        {
            try ledger.markDuplicate(file.id, of: original)
            logger.notice("duplicate of an earlier file; not sent again", metadata: ["file": "\(file.id)", "original": "\(original)"])
            return try ledger.file(file.id) ?? file
        }
        var input = file.path
        if route.translation == .jsonToCDAnet {
            let numbered = numberedInputPath(file)
            if let shared = claims?.claim(at: file.path), let numbers = numbers as? PostgreSQLSequenceAllocator {
                // The file is known by its claim, so a worker taking it over gets the numbers it was given.
                numbers.identify(fileID: file.id, as: shared.key.identity)
            }
            let allocated = try SequenceNumbering(ledger: numbers ?? ledger, fileID: file.id, rules: rules).fill(
                inputPath: file.path, outputPath: numbered)
            if allocated > 0 { input = numbered }
        }
        let outcome = try translator.translate(inputPath: input)
        try writeRejects(outcome.rejects, for: file)
        try afterStep?(.translated, file.name)
        if let failure = outcome.failure {
            try ledger.markFailed(file.id, reason: failure, messages: outcome.summary.messages, rejected: outcome.rejects.count)
            try DurableFiles.write(
                ErrorReport(
                    fileName: file.name, route: route.name, ledgerID: file.id, reason: failure, summary: outcome.summary,
                    rejects: outcome.rejects
                ).json, to: errorReportPath(file))
            logger.error("file failed", metadata: ["file": "\(file.id)", "reason": "\(failure)"])
            return try ledger.file(file.id) ?? file
        }
        let messages = try messageIdentities(input: input, output: outcome.output, rejects: outcome.rejects)
        let labUpdates = try trackedUpdates(input: input, output: outcome.output, rejects: outcome.rejects)
        let payload = outcome.output
        var deliveries: [LedgerDelivery] = []
        let key = idempotencyKey(file)
        for transport in route.transports {
            let queued = try queue.enqueue(
                transport: transport, payload: payload, fileName: route.deliveryName(for: file.name),
                idempotencyKey: key)
            deliveries.append(
                LedgerDelivery(
                    fileID: file.id, transport: transport, idempotencyKey: key, outboxID: queued.id, state: queued.state))
        }
        try afterStep?(.queued, file.name)
        // One transaction records the counts, the deliveries, the messages and where the original will go.
        let archive = try DurableFiles.freePath(
            in: route.archiveDirectory + "/" + Self.day(file.claimedAt), name: file.name)
        let unmatched = try ledger.markTranslated(
            file.id, messages: outcome.summary.messages, translated: outcome.summary.translated,
            rejected: outcome.rejects.count, deliveries: deliveries, identities: messages, stateUpdates: labUpdates,
            movingTo: archive)
        reportUnmatched(unmatched, file: file)
        try afterStep?(.ledgerUpdated, file.name)
        logger.info(
            "translated",
            metadata: [
                "file": "\(file.id)", "messages": "\(outcome.summary.messages)", "rejected": "\(outcome.rejects.count)",
            ])
        return try ledger.file(file.id) ?? file
    }

    /// Moves the original (and its rejects) out of `processing/`: to `error/` when the file failed,
    /// otherwise to `archive/<date>/`.
    private func fileAway(_ file: LedgerFile) throws -> LedgerFile {
        unlink(numberedInputPath(file))
        let rejects = rejectsTemporaryPath(file)
        if DurableFiles.exists(rejects) {
            _ = try DurableFiles.moveWithoutOverwriting(
                rejects, into: route.rejectsDirectory + "/" + Self.day(file.claimedAt), name: file.name,
                suffix: ".rejects.jsonl")
        }
        var destination = file.path
        if file.path.hasPrefix(route.processingDirectory + "/") {
            let context = SealedFiles.originalContext(sha256: file.sha256)
            let folder: String
            if cipher != nil, let planned = file.movingTo, SealedFiles.holds(planned, context: context) {
                // Stopped after the encrypted copy was written, before the original was removed.
                destination = planned
            } else if file.state == .failed {
                folder = route.errorDirectory
                destination = try DurableFiles.freePath(
                    in: folder, name: file.name, reserving: Self.errorReportSuffix.utf8.count)
                try fileErrorReport(file, besides: destination)
            } else if let planned = file.movingTo, !DurableFiles.exists(planned) {
                destination = planned
            } else {
                folder = route.archiveDirectory + "/" + Self.day(file.claimedAt)
                destination = try DurableFiles.freePath(in: folder, name: file.name)
            }
            // The ledger learns the destination first, so a crash right after the rename is recognised on restart.
            if destination != file.movingTo { try ledger.planMove(file.id, to: destination) }
            if let cipher {
                try SealedFiles.sealMove(file.path, to: destination, cipher: cipher, context: context, later: pendingFlushes)
            } else {
                try DurableFiles.rename(file.path, to: destination, later: pendingFlushes)
            }
            try afterStep?(.movedOut, file.name)
        }
        // The claim is finished before the ledger's record of the move, so a crash between the two is finished again
        // by ``resumeFilesInHand()``, never left claimed.
        if let claims, claims.claim(at: file.path) != nil, try !claims.finish(file.path) {
            logger.warning("another worker took this file over as it was finished", metadata: ["file": "\(file.id)"])
        }
        try ledger.moveOriginal(file.id, to: destination, finished: true)
        try afterStep?(.filed, file.name)
        return try ledger.file(file.id) ?? file
    }

    static let errorReportSuffix = ".error.json"

    /// Puts the `<name>.error.json` for a failed file into the error folder, next to where the original goes.
    private func fileErrorReport(_ file: LedgerFile, besides destination: String) throws {
        let report = errorReportPath(file)
        if !DurableFiles.exists(report) {
            var summary = TranslationSummary()
            summary.messages = file.messages
            try DurableFiles.write(
                ErrorReport(
                    fileName: file.name, route: route.name, ledgerID: file.id,
                    reason: file.error ?? "the file could not be processed", summary: summary, rejects: []
                ).json, to: report)
        }
        try DurableFiles.rename(report, to: destination + Self.errorReportSuffix)
    }

    /// The identity of each translated message, read from the model side of the translation.
    private func messageIdentities(
        input: String, output: [UInt8], rejects: [RejectedMessage]
    ) throws -> [(number: Int, identity: MessageIdentity)] {
        switch route.translation {
        case .jsonToCDAnet:
            return MessageRecorder.identities(
                jsonLines: try Self.readAll(input), skippedLines: Set(rejects.map(\.messageNumber)), rules: rules)
        case .cdanetToJSON:
            return MessageRecorder.identities(jsonLines: output, skippedLines: [], rules: rules)
        case .tree, .lab, .none:
            return []
        }
    }

    /// The state changes a file brings: lab orders sent or a lab's status messages (lab routes), RAMQ claims sent
    /// or RAMQ's return (RAMQ routes).
    private func trackedUpdates(input: String, output: [UInt8], rejects: [RejectedMessage]) throws -> [StateUpdate] {
        if case .tree(let tree) = route.translation {
            if tree.writes && tree.to == "ramq" {
                return RAMQClaimTracking.submitted(batch: output, at: Date().timeIntervalSince1970)
            }
            return !tree.writes && tree.from == "ramq-response" ? RAMQClaimTracking.returned(output) : []
        }
        guard case .lab(let lab) = route.translation else { return [] }
        if lab.from == "lab-order" {
            return LabOrderTracking.submitted(
                orders: try Self.readAll(input), skippedLines: Set(rejects.map(\.messageNumber)),
                at: Date().timeIntervalSince1970)
        }
        return lab.from.hasSuffix("-status") ? LabOrderTracking.statusChanges(output) : []
    }

    private func reportUnmatched(_ unmatched: [MessageIdentity], file: LedgerFile) {
        for response in unmatched {
            logger.warning(
                "a response matches no request sent",
                metadata: [
                    "file": "\(file.id)", "type": "\(response.type)", "officeSequenceNumber": "\(response.officeSequenceNumber)",
                    "carrier": "\(response.carrierId)",
                ])
        }
    }

    private func writeRejects(_ rejects: [RejectedMessage], for file: LedgerFile) throws {
        guard !rejects.isEmpty else { return }
        var bytes: [UInt8] = []
        for rejected in rejects {
            bytes += rejected.jsonLine
            bytes.append(0x0A)
        }
        if let cipher { bytes = cipher.seal(bytes, context: SealedFiles.rejectsContext(sha256: file.sha256)) }
        try DurableFiles.write(bytes, to: rejectsTemporaryPath(file))
    }

    // Work files live in processing/ under hidden names tied to the ledger number, so a resumed run finds them.
    private func numberedInputPath(_ file: LedgerFile) -> String { workPath(file, "numbered") }
    private func rejectsTemporaryPath(_ file: LedgerFile) -> String { workPath(file, "rejects") }
    private func errorReportPath(_ file: LedgerFile) -> String { workPath(file, "error.json") }
    private func workPath(_ file: LedgerFile, _ kind: String) -> String {
        route.processingDirectory + "/.\(workTag)\(file.id).\(kind)"
    }

    /// The key receivers use to recognise a repeated delivery. It comes from the route and the content, so a
    /// file taken twice (after a power failure, say) is delivered under the same key; a deliberate repeat
    /// (a reprocessed file, or a resubmission where the route allows it) gets a key of its own.
    private func idempotencyKey(_ file: LedgerFile) -> String {
        let base = "\(route.name)-\(file.sha256.prefix(32))"
        return file.reprocessOf != nil || route.allowsResubmission ? "\(base)-\(file.id)" : base
    }

    static func day(_ time: Double) -> String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
    }

    /// Originals in a processing folder (work files are hidden).
    static func originals(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw DurableFiles.failure("cannot read", path) }
        return [UInt8](data)
    }
}
