import ArgumentParser
import ClaimsBridgeWatcher
import Foundation

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List the status events the watcher recorded, or send some again.",
        subcommands: [List.self, Replay.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print status events as JSON Lines, oldest first: id, type, delivery, and the event as sent.")

        @Option(help: "The routes file the watcher runs with.")
        var config: String

        @Option(help: "Only events after this event id.")
        var after: Int64 = 0

        @Option(help: "Only events of this type (claim.paid, labOrder.statusChanged, …).")
        var type: String?

        @Option(help: "At most this many events.")
        var limit: Int = 1000

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        }

        func run() throws {
            let configuration = try RoutesFile.loadStores(path: config)
            let ledger = try Ledger(location: configuration.ledgerLocation)
            var out = Data()
            for event in try ledger.statusEvents(after: after, type: type, limit: limit) {
                let delivery = event.outboxID.map { "\($0)" } ?? "null"
                out.append(Data("{\"id\":\(event.id),\"type\":\"\(event.type)\",\"key\":\"\(event.idempotencyKey)\",\"delivery\":\(delivery),\"event\":".utf8))
                out.append(Data(event.payload))
                out.append(Data("}\n".utf8))
            }
            FileHandle.standardOutput.write(out)
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue status events again for the `statusEvents:` destination, under new idempotency keys.",
            discussion: """
                The events are sent as they were first sent, with the same event id, so a receiver that keeps the \
                ids it has seen can ignore a replay of one it already has. The running watcher delivers them.
                """)

        @Option(help: "The routes file the watcher runs with.")
        var config: String

        @Argument(help: "The event ids (see `events list`); FROM-TO for a range.")
        var ids: [String]

        @OptionGroup var common: CommonOptions

        func parsedIDs() throws -> [Int64] {
            var result: [Int64] = []
            for text in ids {
                let parts = text.split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(parts.count), let low = Int64(parts[0]), let high = Int64(parts.last!), low >= 1, low <= high,
                    high - low < 100_000
                else {
                    throw ValidationError("\(text) is not an event id or a range FROM-TO of them")
                }
                result += Array(low...high)
            }
            return result
        }

        func validate() throws { _ = try parsedIDs() }

        func run() throws {
            let logger = common.makeLogger()
            let routes = try RoutesFile.load(path: config, common: common, logger: logger)
            do {
                for (event, delivery) in try routes.makeWatcher(logger: logger).replayStatusEvents(ids: try parsedIDs()) {
                    print("event \(event): queued again as delivery \(delivery)")
                }
            } catch let error as WatchError {
                Files.printError("error: \(error)")
                throw ExitCode.failure
            }
        }
    }
}
