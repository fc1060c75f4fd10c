import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
import Logging

extension Watcher {
    /// Asks a carrier's mailbox for outstanding answers: sends outstanding-transactions requests (04, numbered from
    /// the ledger and recorded like any request) until the carrier answers that there is nothing more, and drops
    /// every answer it releases into the inbox of the mailbox's reply route, where it is translated and matched to
    /// its claim (moving the claim's state). Runs on the intake thread, so what it drops is read in the same pass.
    ///
    /// "Nothing more" is a 14 in version 04; in version 02, an 11 carrying error 004 or 049, or the text
    /// `NO MORE ITEMS` after A01 (CDAnet notes, 5.2).
    /// - Returns: how many answers were dropped.
    func pollMailbox(_ mailbox: WatchConfiguration.Mailbox, ledger: Ledger) throws -> Int {
        guard let catalog = resources.catalog, configuration.routes.contains(where: { $0.name == mailbox.replies })
        else { return 0 }
        let submissions = try LedgerSubmissions(ledger: ledger, catalog: catalog)
        var dropped = 0
        for _ in 0..<mailbox.maximumRequests where !isStopping {
            guard
                let (id, request, reply) = try exchangeRecorded(
                    Self.outstandingTransactionsRequest(mailbox), for: mailbox, kind: "mailbox", ledger: ledger,
                    submissions: submissions, catalog: catalog)
            else { return dropped }
            if CarrierReply.saysNoMoreItems(reply) { return dropped }
            if let end = try Self.mailboxEndAnswer(reply, version: mailbox.version, catalog: catalog) {
                try submissions.recordAnswer(end, route: "mailbox:\(mailbox.name)", name: "mailbox-answer-\(id)")
                return dropped
            }
            // A released answer carries its claim's A02; one that echoes the request's answers the request itself:
            // the carrier refused it (another version, an unknown office). Kept, and the poll ends.
            if Self.answersRequestItself(reply, request: request) {
                try submissions.recordAnswer(
                    try Self.json(of: reply, catalog: catalog), route: "mailbox:\(mailbox.name)",
                    name: "mailbox-answer-\(id)")
                logger.error(
                    "the carrier refused the mailbox request; check the mailbox's settings",
                    metadata: ["mailbox": "\(mailbox.name)", "code": "\(Self.transactionCode(of: reply) ?? "")"])
                return dropped
            }
            try dropAnswer(reply, of: mailbox, name: "mailbox-\(mailbox.name)-\(id).txt")
            dropped += 1
            logger.info("an outstanding answer was released", metadata: ["mailbox": "\(mailbox.name)", "bytes": "\(reply.count)"])
        }
        return dropped
    }

    /// Whether `reply` echoes the office sequence number (A02) of `request`: it answers the request itself, where a
    /// released answer carries the A02 of the claim it answers.
    static func answersRequestItself(_ reply: [UInt8], request: [UInt8]) -> Bool {
        reply.count >= 18 && request.count >= 18 && reply[12..<18].elementsEqual(request[12..<18])
    }

    /// The answer, as model JSON, when it says the mailbox is empty; nil when it is an answer the mailbox released.
    static func mailboxEndAnswer(_ reply: [UInt8], version: String, catalog: CDAnetCatalog) throws -> [UInt8]? {
        let code = transactionCode(of: reply)
        if version == "04" { return code == "14" ? try json(of: reply, catalog: catalog) : nil }
        guard code == "11" else { return nil }
        let json = try json(of: reply, catalog: catalog)
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            let errors = object["errors"] as? [[String: Any]]
        else { return nil }
        let codes = errors.compactMap { $0["code"] as? String }
        return codes.contains("004") || codes.contains("049") ? json : nil
    }

    /// Records a request (model JSON without A02/A09, which the ledger allocates) under `KIND:NAME`, writes it as
    /// CDAnet and exchanges it with the carrier's destination.
    /// - Returns: the request's ledger number, its CDAnet bytes and the carrier's reply; nil when the request cannot be
    ///   written or the carrier cannot be reached (both logged; it is asked again at the next run).
    func exchangeRecorded(
        _ request: [UInt8], for carrier: WatchConfiguration.Mailbox, kind: String, ledger: Ledger,
        submissions: LedgerSubmissions, catalog: CDAnetCatalog
    ) throws -> (id: Int64, request: [UInt8], reply: [UInt8])? {
        guard let transport = transports[carrier.destination] else { return nil }
        let (id, json) = try submissions.recordRequest(
            request, route: "\(kind):\(carrier.name)", name: "\(kind)-\(carrier.name)-\(UUID().uuidString).jsonl")
        var input = MemoryInput(json)
        var output = MemoryOutput()
        var refusal: RejectedMessage?
        _ = try ModelWritePipeline(catalog: catalog).run(input: &input, output: &output) { refusal = $0 }
        if let refusal {
            try submissions.markRefused(id, reason: refusal.error.reason)
            logger.error(
                "the \(kind) request cannot be written; check its settings in the routes file",
                metadata: ["\(kind)": "\(carrier.name)", "reason": "\(refusal.error.reason)"])
            return nil
        }
        try submissions.markSent(id, json: json)
        let delivery = OutgoingDelivery(idempotencyKey: "\(kind)-\(id)", payload: output.bytes)
        do {
            return (id, output.bytes, try Self.waitFor { try await transport.deliver(delivery).responseBody })
        } catch let error as TransportError {
            logger.warning(
                "the carrier could not be asked; trying again at the next run",
                metadata: ["\(kind)": "\(carrier.name)", "problem": "\(error.reason)"])
            return nil
        }
    }

    /// Drops a carrier's answer into the inbox of the reply route, where it is translated and applied.
    func dropAnswer(_ answer: [UInt8], of carrier: WatchConfiguration.Mailbox, name: String) throws {
        guard let replies = configuration.routes.first(where: { $0.name == carrier.replies }) else { return }
        _ = try DurableFiles.placeWithoutOverwriting(answer, into: replies.inbox, name: name)
    }

    /// The 04 request of a mailbox, without A02/A09 (the ledger allocates them). Version 02's has no A05 and no
    /// billing provider.
    static func outstandingTransactionsRequest(_ mailbox: WatchConfiguration.Mailbox) -> [UInt8] {
        if mailbox.version == "02" {
            return modelRequest(
                type: "outstandingTransactionsRequest", carrier: mailbox, version: "02", carrierId: nil,
                providers: "{\"treating\":{\"cdaNumber\":" + quoted(mailbox.providerNumber) + ",\"officeNumber\":"
                    + quoted(mailbox.officeNumber) + "}}")
        }
        return modelRequest(
            type: "outstandingTransactionsRequest", carrier: mailbox, version: "04", carrierId: mailbox.carrierId,
            providers: "{\"treating\":{\"cdaNumber\":" + quoted(mailbox.providerNumber) + ",\"officeNumber\":"
                + quoted(mailbox.officeNumber) + "},\"billing\":{\"cdaNumber\":" + quoted(mailbox.providerNumber) + "}}")
    }

    /// A request as one model JSON line: its header from the carrier's settings, then `providers` and `extra`
    /// members (JSON text, each with its leading comma).
    static func modelRequest(
        type: String, carrier: WatchConfiguration.Mailbox, version: String, carrierId: String?, providers: String,
        extra: String = ""
    ) -> [UInt8] {
        var routing = "{\"transactionPrefix\":" + quoted(carrier.transactionPrefix) + ",\"version\":\"\(version)\""
        if let carrierId { routing += ",\"carrierId\":" + quoted(carrierId) }
        routing += ",\"softwareSystemId\":" + quoted(carrier.softwareSystemId)
        if version == "04" { routing += ",\"encryptionMethod\":\"none\"" }
        routing += "}"
        let text =
            "{\"schemaVersion\":1,\"type\":\"\(type)\",\"routing\":" + routing + ",\"providers\":" + providers + extra
            + "}\n"
        return Array(text.utf8)
    }

    static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONWriter.appendString(Array(text.utf8)[...], to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The transaction code (bytes 20–21) of a CDAnet message, or nil.
    static func transactionCode(of message: [UInt8]) -> String? {
        guard message.count >= 22 else { return nil }
        return String(decoding: message[20..<22], as: UTF8.self)
    }

    static func json(of message: [UInt8], catalog: CDAnetCatalog) throws -> [UInt8] {
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
