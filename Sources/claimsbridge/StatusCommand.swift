import ArgumentParser
import ClaimsBridgeWatcher
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the watcher has done and has in hand, or the request–response chain of one claim.")

    @Option(help: "The routes file the watcher runs with.")
    var config: String

    @Option(
        help:
            "Show the chain of messages (request, acknowledgement, EOB, reversal) with this office sequence number, then the claim's state and history (a RAMQ claim: its attestation number)."
    )
    var claim: String?

    @Option(help: "With --claim: only this treating provider's messages (CDA number).")
    var provider: String?

    @Option(help: "Show this lab order's state and its history.")
    var order: String?

    func run() throws {
        let configuration = try RoutesFile.loadStores(path: config)
        if let order {
            try showOrder(order, ledger: try Ledger(location: configuration.ledgerLocation))
            return
        }
        guard let claim else {
            print(try WatchStatus.gather(configuration).text, terminator: "")
            return
        }
        let ledger = try Ledger(location: configuration.ledgerLocation)
        let chain = try ledger.chain(officeSequenceNumber: claim, provider: provider)
        if chain.isEmpty {
            // A RAMQ claim has no CDAnet messages: it is found by its attestation number.
            let states = try ledger.trackedStates(kind: .claim, lookup: claim)
            guard !states.isEmpty else {
                print("No message with office sequence number \(claim) is recorded.")
                throw ExitCode(1)
            }
            for state in states {
                print("claim \(state.key): \(state.state)")
                try printHistory(kind: .claim, key: state.key, ledger: ledger)
            }
            return
        }
        for entry in chain {
            let role: String
            if entry.isRequest {
                role = "request"
            } else if let request = entry.requestID {
                role = "answers message \(request)"
            } else {
                role = "matches no request"
            }
            let time = Date(timeIntervalSince1970: entry.recordedAt).formatted(.iso8601)
            let purged = entry.originalPurgedAt.map {
                "; original purged \(Date(timeIntervalSince1970: $0).formatted(.iso8601))"
            } ?? ""
            print("message \(entry.messageID)  \(time)  \(entry.type)  (\(role); file \(entry.fileID) \(entry.fileName), message \(entry.messageNumber)\(purged))")
        }
        for entry in chain where entry.isRequest {
            let key = Ledger.claimKey(requestMessageID: entry.messageID)
            guard let state = try ledger.trackedState(kind: .claim, key: key) else { continue }
            print("claim of message \(entry.messageID): \(state.state)")
            try printHistory(kind: .claim, key: key, ledger: ledger)
        }
    }

    private func showOrder(_ order: String, ledger: Ledger) throws {
        guard let state = try ledger.trackedState(kind: .labOrder, key: order) else {
            print("No state is recorded for lab order \(order).")
            throw ExitCode(1)
        }
        print("lab order \(order): \(state.state)")
        try printHistory(kind: .labOrder, key: order, ledger: ledger)
    }

    /// Every transition asked for, with when it happened and what became of it.
    private func printHistory(kind: TrackedKind, key: String, ledger: Ledger) throws {
        for transition in try ledger.stateHistory(kind: kind, key: key) {
            let time = Date(timeIntervalSince1970: transition.occurredAt).formatted(.iso8601)
            let from = transition.from.map { "\($0) → " } ?? ""
            let note = transition.reason.map { " (\($0))" } ?? ""
            print("  \(time)  \(from)\(transition.to)  \(transition.outcome.rawValue), from \(transition.source)\(note)")
        }
    }
}
