public import ClaimsBridge
public import ClaimsBridgeTransports
import ClaimsBridgeStorage
import Foundation
public import Logging
import Synchronization

/// The drop-folder watcher: takes files from every route's inbox, translates them and hands the results to
/// the outbox (on a thread of its own, as file and database work blocks), while deliveries run concurrently.
/// ``run(drain:)`` returns when ``stop()`` is called or, with `drain`, when every inbox is empty and
/// nothing is left to deliver.
public final class Watcher: Sendable {
    public let configuration: WatchConfiguration
    let resources: TranslationResources
    let transports: [String: any Transport]
    let retryPolicy: RetryPolicy
    let leaseSeconds: Double
    let logger: Logger
    /// Counters served at `/metrics`.
    public let metrics: WatchMetrics
    let state = Mutex(RunState())
    private let deliveryWork = Atomic<Bool>(false)
    private let heartbeat = Atomic<Int64>(0)

    struct RunState {
        var stopping = false
        var intakeIdle = false
        var wakeIntake: (@Sendable () -> Void)?
        var running = false
    }

    /// Test hook: called after each processing step of each file; throwing there stops the watcher as a crash would.
    let afterStep: (@Sendable (ProcessingStep, String) throws -> Void)?
    /// The time retention counts from.
    let clock: @Sendable () -> Date
    /// Where routes with `pickup:` fetch their files from, by route name.
    let pickupSources: [String: any PickupSource]

    /// - Parameters:
    ///   - retryPolicy, leaseSeconds: the outbox's settings (see ``Outbox``), normally from the delivery configuration.
    ///   - pickupSources: for each route with `pickup:`, by route name, where its files are fetched from.
    public convenience init(
        configuration: WatchConfiguration, resources: TranslationResources, transports: [String: any Transport],
        retryPolicy: RetryPolicy = RetryPolicy(), leaseSeconds: Double = 300, metrics: WatchMetrics = WatchMetrics(),
        logger: Logger, pickupSources: [String: any PickupSource] = [:]
    ) {
        self.init(
            configuration: configuration, resources: resources, transports: transports, retryPolicy: retryPolicy,
            leaseSeconds: leaseSeconds, metrics: metrics, logger: logger, afterStep: nil, pickupSources: pickupSources)
    }

    /// A watcher for routes that translate only CDAnet (or nothing).
    public convenience init(
        configuration: WatchConfiguration, catalog: CDAnetCatalog?, transports: [String: any Transport],
        retryPolicy: RetryPolicy = RetryPolicy(), leaseSeconds: Double = 300, metrics: WatchMetrics = WatchMetrics(),
        logger: Logger
    ) {
        self.init(
            configuration: configuration, resources: TranslationResources(catalog: catalog), transports: transports,
            retryPolicy: retryPolicy, leaseSeconds: leaseSeconds, metrics: metrics, logger: logger, afterStep: nil)
    }

    init(
        configuration: WatchConfiguration, resources: TranslationResources, transports: [String: any Transport],
        retryPolicy: RetryPolicy, leaseSeconds: Double = 300, metrics: WatchMetrics, logger: Logger,
        afterStep: (@Sendable (ProcessingStep, String) throws -> Void)?, clock: @escaping @Sendable () -> Date = { Date() },
        pickupSources: [String: any PickupSource] = [:]
    ) {
        self.clock = clock
        self.pickupSources = pickupSources
        self.configuration = configuration
        self.resources = resources
        self.transports = transports
        self.retryPolicy = retryPolicy
        self.leaseSeconds = leaseSeconds
        self.metrics = metrics
        self.logger = logger
        self.afterStep = afterStep
    }

    /// This worker in the store shared with other machines: its host and its ledger.
    var workerIdentity: String { ProcessInfo.processInfo.hostName + ":" + ledgerPath }

    /// This worker's claims on the files of inboxes shared with other machines; nil when the store is not PostgreSQL.
    func inboxClaimKeeper() throws -> InboxClaimKeeper? {
        guard case .postgreSQL(let store) = configuration.outboxLocation else { return nil }
        return InboxClaimKeeper(
            store: try PostgreSQLInboxClaimStore(configuration: store), worker: workerIdentity, leaseSeconds: leaseSeconds)
    }

    /// True when inboxes may be shared with workers on other machines (the store is PostgreSQL).
    var sharesInboxes: Bool {
        if case .postgreSQL = configuration.outboxLocation { return true }
        return false
    }

    /// The ledger's location for this configuration.
    public var ledgerPath: String { configuration.stateDirectory + "/ledger.sqlite" }
    /// Where the ledger lives: the SQLite file ``ledgerPath``, or the PostgreSQL store `store:` names.
    public var ledgerLocation: LedgerLocation { configuration.ledgerLocation }
    /// The outbox's location for this configuration.
    public var outboxPath: String { configuration.outboxPath }

    /// The outbox with this watcher's settings and keys.
    func openOutbox() throws -> Outbox {
        try Outbox(
            store: configuration.outboxLocation, retryPolicy: retryPolicy, leaseSeconds: leaseSeconds, cipher: configuration.payloadCipher,
            logger: logger)
    }

    /// Asks the watcher to stop after the file in hand. Safe from any thread.
    public func stop() {
        let wake = state.withLock { state in
            state.stopping = true
            return state.wakeIntake
        }
        wake?()
        deliveryWork.store(true, ordering: .relaxed)
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// True while the intake loop has gone round within the last two rescan intervals (plus a minute
    /// for a large file in hand).
    public var isHealthy: Bool {
        let last = Double(heartbeat.load(ordering: .relaxed))
        return last > 0 && Date().timeIntervalSince1970 - last < 2 * Self.seconds(configuration.rescanInterval) + 60
    }

    /// Runs until stopped (or, with `drain`, until there is nothing left to take in or deliver).
    public func run(drain: Bool) async throws {
        state.withLock { $0.intakeIdle = false }
        try checkFilePermissions()
        try DurableFiles.makeDirectory(configuration.stateDirectory, permissions: configuration.statePermissions)
        let lock = try await StateFolderLock.acquire(
            stateDirectory: configuration.stateDirectory,
            waiting: {
                logger.warning(
                    "another watcher is working in this state folder; waiting for it to stop",
                    metadata: ["state": "\(configuration.stateDirectory)"])
            },
            isStopping: { isStopping })
        guard let lock else { return }
        defer { withExtendedLifetime(lock) {} }
        // Create both databases here, before two connections race to set them up.
        _ = try Ledger(location: ledgerLocation, permissions: configuration.statePermissions)
        _ = try openOutbox()
        removeAbandonedTemporaries()
        warnAboutUnreadyDestinations()
        state.withLock { $0.running = true }
        defer { state.withLock { $0.running = false } }
        if case .postgreSQL(let store) = configuration.outboxLocation { listenForDeliveries(store) }
        async let intake: Void = runIntakeOnThread(drain: drain)
        do {
            try await withTaskCancellationHandler {
                try await runDelivery(drain: drain)
            } onCancel: {
                stop()
            }
        } catch {
            stop()
            try? await intake
            throw error
        }
        try await intake
        if drain && !isStopping { try checkNothingLeftInHand() }
    }

    /// Wakes the delivery loop when any worker sharing the PostgreSQL store enqueues a delivery (`LISTEN`), instead of
    /// waiting for its next poll. Runs on a thread of its own until the watcher stops; without a connection it
    /// retries every few seconds, and the delivery loop keeps polling every second either way.
    private func listenForDeliveries(_ store: PostgreSQLConfiguration) {
        let thread = Thread { [self] in
            var listener: PostgreSQLDatabase?
            while state.withLock({ $0.running && !$0.stopping }) {
                do {
                    if listener == nil {
                        let database = try PostgreSQLDatabase(configuration: store)
                        try database.listen(PostgreSQLDatabase.enqueuedChannel)
                        listener = database
                    }
                    if try listener?.waitForNotification(timeout: 0.5).isEmpty == false {
                        deliveryWork.store(true, ordering: .relaxed)
                    }
                } catch {
                    listener = nil
                    Thread.sleep(forTimeInterval: 2)
                }
            }
        }
        thread.name = "claimsbridge-listen"
        thread.start()
    }

    private func runIntakeOnThread(drain: Bool) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread { [self] in
                do {
                    try runIntake(drain: drain)
                    continuation.resume()
                } catch {
                    stop()
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "claimsbridge-intake"
            thread.start()
        }
    }

    private func runIntake(drain: Bool) throws {
        let ledger = try Ledger(location: ledgerLocation)
        let outbox = try openOutbox()
        // With a PostgreSQL store the ledger is there too, and takes its header numbers from the store's counters;
        // files of a shared inbox are claimed there first and numbered by their claim.
        var numbers: (any SequenceAllocating)?
        if case .postgreSQL(let store) = configuration.outboxLocation {
            numbers = try PostgreSQLSequenceAllocator(configuration: store, ledger: ledger)
        }
        let claims = try inboxClaimKeeper()
        let processors = try configuration.routes.map { route in
            let processor = try FileProcessor(
                route: route, ledger: ledger, queue: outbox, resources: resources,
                cipher: configuration.payloadCipher, logger: logger)
            processor.afterStep = afterStep
            processor.numbers = numbers
            processor.claims = claims
            return processor
        }
        for processor in processors { try processor.prepareFolders() }
        let monitor = InboxMonitor(folders: configuration.routes.map(\.inbox))
        state.withLock { $0.wakeIntake = { [monitor] in monitor.wake() } }
        defer { state.withLock { $0.wakeIntake = nil } }
        if !monitor.isNotifying { logger.notice("change notifications unavailable; polling the inboxes") }
        let rescan = Self.seconds(configuration.rescanInterval)
        var lastResume = 0.0
        var lastRetention: Date?
        var lastPickup: [String: Double] = [:]
        var lastMailboxPoll: [String: Double] = [:]
        var lastReconciliation: [String: Double] = [:]
        while !isStopping {
            for mailbox in configuration.mailboxes {
                let now = Date().timeIntervalSince1970
                if let last = lastMailboxPoll[mailbox.name], now - last < Self.seconds(mailbox.interval) { continue }
                lastMailboxPoll[mailbox.name] = now
                _ = try pollMailbox(mailbox, ledger: ledger)
            }
            for reconciliation in configuration.reconciliations {
                let now = Date().timeIntervalSince1970
                if let last = lastReconciliation[reconciliation.name],
                    now - last < Self.seconds(reconciliation.carrier.interval)
                { continue }
                lastReconciliation[reconciliation.name] = now
                guard let date = Self.reconciliationDate(reconciliation, now: clock()) else { continue }
                _ = try reconcile(reconciliation, date: date, ledger: ledger)
            }
            lastRetention = applyRetentionIfDue(last: lastRetention)
            for route in configuration.routes {
                guard let pickup = route.pickup, let source = pickupSources[route.name] else { continue }
                let now = Date().timeIntervalSince1970
                if let last = lastPickup[route.name], now - last < Self.seconds(pickup.interval) { continue }
                lastPickup[route.name] = now
                _ = try pickUp(route: route, pickup: pickup, from: source, ledger: ledger)
            }
            let now = Date().timeIntervalSince1970
            heartbeat.store(Int64(now), ordering: .relaxed)
            if now - lastResume >= rescan {
                for processor in processors { try guarded(processor) { try processor.resumeFilesInHand() } }
                try claims?.deleteOldRows()
                lastResume = now
            }
            var processed = 0
            var nextCheck: Double?
            var othersHoldFiles = false
            for processor in processors where !isStopping {
                let listing = InboxScanner(route: processor.route).scan()
                if let check = listing.nextCheck { nextCheck = min(nextCheck ?? check, check) }
                for candidate in listing.ready {
                    if isStopping { break }
                    try guarded(processor) {
                        if let file = try processor.process(inboxName: candidate.name) {
                            metrics.recordFile(file, pickedUpAfter: Date().timeIntervalSince1970 - candidate.modified)
                            processed += 1
                            deliveryWork.store(true, ordering: .relaxed)
                        } else if claims != nil, DurableFiles.exists(processor.route.inbox + "/" + candidate.name) {
                            othersHoldFiles = true
                        }
                    }
                }
            }
            for processor in processors { processor.flushFolders() }
            if try publishStatusEvents(ledger: ledger, outbox: outbox) > 0 { deliveryWork.store(true, ordering: .relaxed) }
            if processed > 0 { continue }
            if drain, nextCheck == nil, claims != nil,
                othersHoldFiles || processors.contains(where: { $0.othersInHand() > 0 })
            {
                // Another worker has files in hand: wait to see them finished, or to take them over after its lease.
                nextCheck = lastResume + rescan
            }
            if drain && nextCheck == nil {
                state.withLock { $0.intakeIdle = true }
                deliveryWork.store(true, ordering: .relaxed)
                return
            }
            let untilNext = nextCheck.map { max(0.01, $0 - Date().timeIntervalSince1970) } ?? rescan
            monitor.wait(timeout: min(rescan, untilNext))
        }
    }

    /// Runs `body`; a file-system failure is logged and the loop goes on, leaving the file in `processing/`
    /// to be resumed at the next rescan. Ledger and outbox failures stop the watcher.
    private func guarded(_ processor: FileProcessor, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as WatchError {
            metrics.recordError()
            processor.logger.error("a file could not be processed; it stays in processing/", metadata: ["error": "\(error)"])
        }
    }

    func runDelivery(drain: Bool) async throws {
        let ledger = try Ledger(location: ledgerLocation)
        let outbox = try openOutbox()
        var lastReconcile = ContinuousClock.now
        while !isStopping {
            deliveryWork.store(false, ordering: .relaxed)
            let summary = try await outbox.deliverDue(transports: transports)
            for (ids, outcome) in [(summary.delivered, "delivered"), (summary.dead, "dead")] where !ids.isEmpty {
                try settle(ids, as: outcome, ledger: ledger, outbox: outbox)
            }
            // Events waiting for an earlier event of their claim go out once it is delivered.
            if try publishStatusEvents(ledger: ledger, outbox: outbox) > 0 { continue }
            if summary.attempted == 0 || ContinuousClock.now - lastReconcile > .seconds(2) {
                try reconcile(ledger: ledger, outbox: outbox)
                lastReconcile = .now
            }
            if summary.attempted > 0 { continue }
            let nextDue = try outbox.nextDueDate(destinations: Array(transports.keys))
            if drain && state.withLock({ $0.intakeIdle }) {
                let counts = try outbox.counts()
                if (counts[.pending] ?? 0) + (counts[.inFlight] ?? 0) == 0 { return }
            }
            let wait = min(nextDue.map { max(0, $0.timeIntervalSinceNow) } ?? 1, 1)
            await waitForDeliveryWork(seconds: wait)
        }
    }

    /// Records deliveries the last run settled, in one ledger transaction (those the ledger does not know yet
    /// are caught by ``reconcile``).
    private func settle(_ ids: [DeliveryID], as outcome: String, ledger: Ledger, outbox: Outbox) throws {
        var updates: [(outboxID: Int64, state: String)] = []
        let forwardsReplies = configuration.routes.contains { $0.replyRoute != nil }
        for id in ids {
            guard let delivery = try ledger.delivery(outboxID: id.rawValue), delivery.state != outcome else { continue }
            if outcome == "delivered", forwardsReplies, let record = try outbox.delivery(id) {
                if let problem = record.receiptProblem {
                    logger.error("the stored reply cannot be read", metadata: ["delivery.id": "\(id)", "problem": "\(problem)"])
                }
                if let body = record.receipt?.responseBody, !body.isEmpty { try forwardReply(body, of: delivery, ledger: ledger) }
            }
            updates.append((id.rawValue, outcome))
        }
        try ledger.updateDeliveries(updates)
        for _ in updates { metrics.recordDelivery(state: outcome) }
    }

    /// Copies settled outbox states into the ledger. Reading them from the outbox (rather than from one run's
    /// summary) also catches deliveries made before the ledger recorded them, or by another process.
    private func reconcile(ledger: Ledger, outbox: Outbox) throws {
        var updates: [(outboxID: Int64, state: String)] = []
        for delivery in try ledger.openDeliveries() {
            guard let record = try outbox.delivery(DeliveryID(delivery.outboxID)) else { continue }
            let current = record.state == .inFlight || record.state == .pending
                ? (record.attempts > 0 ? "retrying" : "queued") : record.state.name
            guard current != delivery.state else { continue }
            if current == "delivered", let body = record.receipt?.responseBody, !body.isEmpty {
                try forwardReply(body, of: delivery, ledger: ledger)
            }
            updates.append((delivery.outboxID, current))
            if current == "delivered" || current == "dead" { metrics.recordDelivery(state: current) }
        }
        try ledger.updateDeliveries(updates)
    }

    /// Drops a delivery's response body into the inbox of its route's reply route, once: the name is
    /// derived from the delivery, and an existing file of that name is left as it is.
    private func forwardReply(_ body: [UInt8], of delivery: LedgerDelivery, ledger: Ledger) throws {
        guard let file = try ledger.file(delivery.fileID),
            let replyName = configuration.routes.first(where: { $0.name == file.route })?.replyRoute,
            let replyRoute = configuration.routes.first(where: { $0.name == replyName })
        else { return }
        let name = FileNameLength.fitting("\(delivery.idempotencyKey)-\(delivery.transport).reply")
        let path = replyRoute.inbox + "/" + name
        guard !DurableFiles.exists(path) else { return }
        try DurableFiles.makeDirectory(replyRoute.inbox)
        try DurableFiles.write(body, to: path)
        logger.info("reply received", metadata: ["file": "\(file.id)", "route": "\(replyName)", "bytes": "\(body.count)"])
    }

    /// Sleeps up to `seconds`, waking early when the intake queues something.
    private func waitForDeliveryWork(seconds: Double) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline && !deliveryWork.load(ordering: .relaxed) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
