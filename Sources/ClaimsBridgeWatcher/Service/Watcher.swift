public import ClaimsBridge
import Foundation
public import Logging
import Synchronization

/// The drop-folder watcher: takes files from every route's inbox, translates them and hands the results to
/// the outbox, while a second thread delivers them. ``run(drain:)`` blocks until ``stop()`` is called or,
/// with `drain`, until every inbox is empty and nothing is left to deliver.
public final class Watcher: Sendable {
    public let configuration: WatchConfiguration
    let catalog: CDAnetCatalog?
    let deliveries: any DeliveryFactory
    let logger: Logger
    let metrics: WatchMetrics
    private let state = Mutex(RunState())

    private struct RunState {
        var stopping = false
        var intakeIdle = false
        var wakeIntake: (@Sendable () -> Void)?
        var wakeDelivery: (@Sendable () -> Void)?
    }

    public init(
        configuration: WatchConfiguration, catalog: CDAnetCatalog?, deliveries: any DeliveryFactory,
        metrics: WatchMetrics = WatchMetrics(), logger: Logger
    ) {
        self.configuration = configuration
        self.catalog = catalog
        self.deliveries = deliveries
        self.metrics = metrics
        self.logger = logger
    }

    /// The ledger's location for this configuration.
    public var ledgerPath: String { configuration.stateDirectory + "/ledger.sqlite" }

    /// Asks the watcher to stop after the file in hand. Safe from any thread.
    public func stop() {
        let wakers = state.withLock { state in
            state.stopping = true
            return [state.wakeIntake, state.wakeDelivery]
        }
        for wake in wakers { wake?() }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    /// Runs intake on the calling thread and delivery on a second one until stopped (or drained).
    public func run(drain: Bool) throws {
        try DurableFiles.makeDirectory(configuration.stateDirectory)
        let deliveryDone = DispatchSemaphore(value: 0)
        let deliveryFailure = Mutex<(any Error)?>(nil)
        let deliveryThread = Thread { [self] in
            do {
                try runDelivery(drain: drain)
            } catch {
                deliveryFailure.withLock { $0 = error }
                logger.critical("delivery stopped", metadata: ["error": "\(error)"])
                stop()
            }
            deliveryDone.signal()
        }
        deliveryThread.name = "claimsbridge-delivery"
        deliveryThread.start()
        do {
            try runIntake(drain: drain)
        } catch {
            stop()
            deliveryDone.wait()
            throw error
        }
        deliveryDone.wait()
        if let failure = deliveryFailure.withLock({ $0 }) { throw failure }
    }

    private func runIntake(drain: Bool) throws {
        let ledger = try Ledger(path: ledgerPath)
        let queue = try deliveries.makeQueue()
        let processors = configuration.routes.map {
            FileProcessor(route: $0, ledger: ledger, queue: queue, catalog: catalog, logger: logger)
        }
        for processor in processors { try processor.prepareFolders() }
        let monitor = InboxMonitor(folders: configuration.routes.map(\.inbox))
        state.withLock { $0.wakeIntake = { [monitor] in monitor.wake() } }
        defer { state.withLock { $0.wakeIntake = nil } }
        if !monitor.isNotifying { logger.notice("change notifications unavailable; polling the inboxes") }
        let rescan = Self.seconds(configuration.rescanInterval)
        var lastResume = 0.0
        while !isStopping {
            let now = Date().timeIntervalSince1970
            if now - lastResume >= rescan {
                for processor in processors { try guarded(processor) { try processor.resumeFilesInHand() } }
                lastResume = now
            }
            var processed = 0
            var nextCheck: Double?
            for processor in processors where !isStopping {
                let listing = InboxScanner(route: processor.route).scan()
                if let check = listing.nextCheck { nextCheck = min(nextCheck ?? check, check) }
                for candidate in listing.ready {
                    if isStopping { break }
                    try guarded(processor) {
                        if let file = try processor.process(inboxName: candidate.name) {
                            metrics.recordFile(file, pickedUpAfter: Date().timeIntervalSince1970 - candidate.modified)
                            processed += 1
                        }
                    }
                }
            }
            if processed > 0 { wakeDelivery() }
            if processed > 0 { continue }
            if drain && nextCheck == nil {
                state.withLock { $0.intakeIdle = true }
                wakeDelivery()
                return
            }
            let untilNext = nextCheck.map { max(0.01, $0 - Date().timeIntervalSince1970) } ?? rescan
            monitor.wait(timeout: min(rescan, untilNext))
        }
    }

    /// Runs `body`; a failure that is not the ledger's or the queue's own is logged and the loop goes on,
    /// leaving the file in `processing/` to be resumed.
    private func guarded(_ processor: FileProcessor, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as WatchError {
            metrics.recordError()
            processor.logger.error("a file could not be processed; it stays in processing/", metadata: ["error": "\(error)"])
        }
    }

    private func runDelivery(drain: Bool) throws {
        let ledger = try Ledger(path: ledgerPath)
        let worker = try deliveries.makeWorker()
        let signal = DispatchSemaphore(value: 0)
        state.withLock { $0.wakeDelivery = { signal.signal() } }
        defer { state.withLock { $0.wakeDelivery = nil } }
        while !isStopping {
            let intakeIdle = state.withLock { $0.intakeIdle }
            let next = try worker.deliverDue { key, deliveryState in
                try ledger.updateDelivery(key: key, state: deliveryState)
                metrics.recordDelivery(state: deliveryState)
            }
            if drain && intakeIdle && next == nil { return }
            let wait = min(next ?? 1, 1)
            _ = signal.wait(timeout: .now() + .milliseconds(Int(wait * 1000)))
        }
    }

    private func wakeDelivery() {
        state.withLock { $0.wakeDelivery }?()
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
