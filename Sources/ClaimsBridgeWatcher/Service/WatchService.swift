public import ServiceLifecycle

/// The watcher as a service of a `ServiceGroup`: on SIGTERM or SIGINT it finishes the file in hand, then stops.
public struct WatchService: Service {
    public let watcher: Watcher
    /// Stop once every inbox is empty and nothing is left to deliver.
    public let drain: Bool

    public init(watcher: Watcher, drain: Bool) {
        self.watcher = watcher
        self.drain = drain
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await watcher.run(drain: drain)
        } onGracefulShutdown: {
            watcher.stop()
        }
    }
}
