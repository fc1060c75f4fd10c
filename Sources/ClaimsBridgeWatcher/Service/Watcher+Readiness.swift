import ClaimsBridgeTransports
import Logging

extension Watcher {
    /// Warns, at start, about each destination a route uses that could not take a delivery now (a missing folder,
    /// an unset secret, an unreadable key file): its deliveries would only be retried until they die.
    func warnAboutUnreadyDestinations() {
        let used = Set(configuration.routes.flatMap(\.transports))
        for name in used.sorted() {
            guard let transport = transports[name] as? any ReadinessChecking else { continue }
            for problem in transport.readinessProblems() {
                logger.warning(
                    "a destination cannot take deliveries now; they are retried until it can",
                    metadata: ["destination": "\(name)", "problem": "\(problem)"])
            }
        }
    }
}
