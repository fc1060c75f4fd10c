import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
import Logging

extension Watcher {
    /// Asks a carrier's mailbox for outstanding answers: sends outstanding-transactions requests (04, numbered from
    /// the ledger and recorded like any request) until the carrier answers that there is nothing more (14), and
    /// drops every answer it releases into the inbox of the mailbox's reply route, where it is translated and matched
    /// to its claim (moving the claim's state). Runs on the intake thread, so what it drops is read in the same pass.
    /// - Returns: how many answers were dropped.
    func pollMailbox(_ mailbox: WatchConfiguration.Mailbox, ledger: Ledger) throws -> Int {
        guard let catalog = resources.catalog, let transport = transports[mailbox.destination],
            let replies = configuration.routes.first(where: { $0.name == mailbox.replies })
        else { return 0 }
        let submissions = try LedgerSubmissions(ledger: ledger, catalog: catalog)
        var dropped = 0
        for _ in 0..<mailbox.maximumRequests where !isStopping {
            let (id, json) = try submissions.recordRequest(
                Self.outstandingTransactionsRequest(mailbox), route: "mailbox:\(mailbox.name)",
                name: "mailbox-\(mailbox.name)-\(UUID().uuidString).jsonl")
            var input = MemoryInput(json)
            var output = MemoryOutput()
            var refusal: RejectedMessage?
            _ = try ModelWritePipeline(catalog: catalog).run(input: &input, output: &output) { refusal = $0 }
            if let refusal {
                try submissions.markRefused(id, reason: refusal.error.reason)
                logger.error(
                    "the mailbox request cannot be written; check the mailbox's settings",
                    metadata: ["mailbox": "\(mailbox.name)", "reason": "\(refusal.error.reason)"])
                return dropped
            }
            try submissions.markSent(id, json: json)
            let request = OutgoingDelivery(idempotencyKey: "mailbox-\(id)", payload: output.bytes)
            let reply: [UInt8]
            do {
                reply = try Self.waitFor { try await transport.deliver(request).responseBody }
            } catch let error as TransportError {
                logger.warning(
                    "the mailbox could not be asked; trying again at the next poll",
                    metadata: ["mailbox": "\(mailbox.name)", "problem": "\(error.reason)"])
                return dropped
            }
            // The answer to the request itself (14) says the mailbox is empty; anything else is a released answer.
            if Self.transactionCode(of: reply) == "14" {
                try submissions.recordAnswer(
                    try Self.json(of: reply, catalog: catalog), route: "mailbox:\(mailbox.name)",
                    name: "mailbox-answer-\(id)")
                return dropped
            }
            _ = try DurableFiles.placeWithoutOverwriting(reply, into: replies.inbox, name: "mailbox-\(mailbox.name)-\(id).txt")
            dropped += 1
            logger.info("an outstanding answer was released", metadata: ["mailbox": "\(mailbox.name)", "bytes": "\(reply.count)"])
        }
        return dropped
    }

    /// The 04 request of a mailbox, without A02/A09 (the ledger allocates them).
    static func outstandingTransactionsRequest(_ mailbox: WatchConfiguration.Mailbox) -> [UInt8] {
        func quoted(_ text: String) -> String {
            var bytes: [UInt8] = []
            JSONWriter.appendString(Array(text.utf8)[...], to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        let text =
            "{\"schemaVersion\":1,\"type\":\"outstandingTransactionsRequest\",\"routing\":{\"transactionPrefix\":"
            + quoted(mailbox.transactionPrefix) + ",\"version\":\"04\",\"carrierId\":" + quoted(mailbox.carrierId)
            + ",\"softwareSystemId\":" + quoted(mailbox.softwareSystemId) + ",\"encryptionMethod\":\"none\"},"
            + "\"providers\":{\"treating\":{\"cdaNumber\":" + quoted(mailbox.providerNumber) + ",\"officeNumber\":"
            + quoted(mailbox.officeNumber) + "},\"billing\":{\"cdaNumber\":" + quoted(mailbox.providerNumber) + "}}}\n"
        return Array(text.utf8)
    }

    /// The transaction code (bytes 20–21) of a CDAnet message, or nil.
    static func transactionCode(of message: [UInt8]) -> String? {
        guard message.count >= 22 else { return nil }
        return String(decoding: message[20..<22], as: UTF8.self)
    }

    private static func json(of message: [UInt8], catalog: CDAnetCatalog) throws -> [UInt8] {
        var input = MemoryInput(message)
        var output = MemoryOutput()
        _ = try CDAnetReadPipeline(catalog: catalog, format: .json, failFast: false).run(input: &input, output: &output) { _ in }
        return output.bytes
    }

    /// Runs async transport work from the intake thread (a thread of its own, not the cooperative pool) and waits.
    private static func waitFor<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<Value>()
        Task {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

private final class ResultBox<Value>: @unchecked Sendable {
    var result: Result<Value, any Error>?
}
