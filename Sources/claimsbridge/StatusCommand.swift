import ArgumentParser
import ClaimsBridgeWatcher
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the watcher has done and has in hand, or the request–response chain of one claim.")

    @Option(help: "The routes file the watcher runs with.")
    var config: String

    @Option(help: "Show the chain of messages (request, acknowledgement, EOB, reversal) with this office sequence number.")
    var claim: String?

    @Option(help: "With --claim: only this treating provider's messages (CDA number).")
    var provider: String?

    func run() throws {
        let configuration = try WatchConfiguration.load(path: config)
        guard let claim else {
            print(try WatchStatus.gather(configuration).text, terminator: "")
            return
        }
        let ledger = try Ledger(path: configuration.stateDirectory + "/ledger.sqlite")
        let chain = try ledger.chain(officeSequenceNumber: claim, provider: provider)
        if chain.isEmpty {
            print("No message with office sequence number \(claim) is recorded.")
            throw ExitCode(1)
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
            for transition in try ledger.stateHistory(kind: .claim, key: key) {
                let time = Date(timeIntervalSince1970: transition.recordedAt).formatted(.iso8601)
                let from = transition.from.map { "\($0) → " } ?? ""
                let note = transition.reason.map { " (\($0))" } ?? ""
                print("  \(time)  \(from)\(transition.to)  \(transition.outcome.rawValue), from \(transition.source)\(note)")
            }
        }
    }
}
