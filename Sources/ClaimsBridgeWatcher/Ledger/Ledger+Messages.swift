import ClaimsBridge
import ClaimsBridgeStorage

/// One message of the request–response chain of a claim, as the ledger recorded it.
public struct ChainEntry: Sendable, Equatable {
    public var messageID: Int64
    public var fileID: Int64
    public var fileName: String
    public var messageNumber: Int
    public var type: String
    public var isRequest: Bool
    /// For a response, the request it answers (nil: no matching request was found).
    public var requestID: Int64?
    public var recordedAt: Double
    /// When retention removed the file's original, if it has.
    public var originalPurgedAt: Double? = nil
}

extension Ledger {
    /// Records the messages of a file (idempotent per file and message number), inside the caller's transaction.
    /// Each response is matched to the latest request with the same office sequence number, provider and carrier
    /// that it can answer.
    /// - Returns: the responses no request was found for.
    func insertMessages(fileID: Int64, _ messages: [(number: Int, identity: MessageIdentity)]) throws -> [MessageIdentity] {
        guard !messages.isEmpty else { return [] }
        let insert = try database.prepare(
            """
            INSERT INTO messages (file_id, message_number, type, is_request, office_sequence, carrier, provider,
                request_id, recorded_at, may_be_unsolicited, carrier_reference)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        var unmatched: [MessageIdentity] = []
        for (number, identity) in messages {
            var request: Int64?
            if !identity.isRequest {
                request = try matchingRequest(for: identity)
                if request == nil && !identity.mayBeUnsolicited { unmatched.append(identity) }
            }
            let messageID = try insert.insert([
                .integer(fileID), .integer(Int64(number)), .text(identity.type), .integer(identity.isRequest ? 1 : 0),
                .text(identity.officeSequenceNumber), .text(identity.carrierId), .text(identity.providerNumber),
                request.map { .integer($0) } ?? .null, .real(Self.now), .integer(identity.mayBeUnsolicited ? 1 : 0),
                identity.carrierReference.map { .text($0) } ?? .null,
            ])
            if let messageID {
                try trackClaimState(messageID: messageID, identity: identity, request: request)
            }
        }
        return unmatched
    }

    /// A claim sent is `submitted`; a carrier's answer moves the claim it answers (see ``ClaimState``).
    private func trackClaimState(messageID: Int64, identity: MessageIdentity, request: Int64?) throws {
        let subject = [
            "officeSequenceNumber": identity.officeSequenceNumber, "carrierId": identity.carrierId,
            "providerNumber": identity.providerNumber,
        ]
        if identity.isRequest {
            guard ClaimState.trackedRequestTypes.contains(identity.type) else { return }
            _ = try applyStateUpdateInTransaction(
                StateUpdate(
                    kind: .claim, key: Self.claimKey(requestMessageID: messageID), to: ClaimState.submitted.rawValue,
                    source: "message:\(messageID)", occurredAt: Self.now, subject: subject))
        } else if let request, let state = ClaimState.answeredBy(type: identity.type, status: identity.status) {
            let key = Self.claimKey(requestMessageID: request)
            _ = try applyStateUpdateInTransaction(
                StateUpdate(
                    kind: .claim, key: key, to: state.rawValue, source: "message:\(messageID)", occurredAt: Self.now,
                    subject: subject))
            if state == .adjudicated, let payable = identity.payable { try recordPayable(payable, claimKey: key) }
        }
        if identity.type == "claimReversalResponse", identity.status == "accepted",
            let reference = identity.carrierReference, let claim = try claimAnswered(carrierReference: reference)
        {
            _ = try applyStateUpdateInTransaction(
                StateUpdate(
                    kind: .claim, key: Self.claimKey(requestMessageID: claim), to: ClaimState.reversed.rawValue,
                    source: "message:\(messageID)", occurredAt: Self.now, subject: subject))
        }
        if !identity.payments.isEmpty {
            try recordPayments(identity.payments, reference: identity.paymentReference ?? "", messageID: messageID)
        }
    }

    /// The claim whose acknowledgement or EOB carried this carrier reference (G01), for a reversal.
    private func claimAnswered(carrierReference: String) throws -> Int64? {
        let types = ClaimState.trackedRequestTypes.sorted()
        let placeholders = types.map { _ in "?" }.joined(separator: ", ")
        return try database.prepare(
            """
            SELECT r.id FROM messages a JOIN messages r ON r.id = a.request_id
            WHERE a.is_request = 0 AND a.carrier_reference = ? AND a.type != 'claimReversalResponse'
              AND r.type IN (\(placeholders)) ORDER BY a.id DESC LIMIT 1
            """
        ).query([.text(carrierReference)] + types.map { .text($0) }) { $0.int64(0) }.first
    }

    /// The latest request this response can answer with its office sequence number, provider and carrier. A
    /// response that carries no carrier (15 and 16 have no A05) or no treating provider (16) is matched on the
    /// numbers it does carry.
    private func matchingRequest(for response: MessageIdentity) throws -> Int64? {
        let types = response.answers
        guard !types.isEmpty else { return nil }
        let placeholders = types.map { _ in "?" }.joined(separator: ", ")
        return try database.prepare(
            """
            SELECT id FROM messages WHERE is_request = 1 AND office_sequence = ? AND (CAST(? AS TEXT) = '' OR provider = ?)
              AND (CAST(? AS TEXT) = '' OR carrier = ?) AND type IN (\(placeholders)) ORDER BY id DESC LIMIT 1
            """
        ).query(
            [
                .text(response.officeSequenceNumber), .text(response.providerNumber), .text(response.providerNumber),
                .text(response.carrierId), .text(response.carrierId),
            ] + types.map { .text($0) }
        ) { $0.int64(0) }.first
    }

    /// Every message recorded with this office sequence number (optionally only this provider's), oldest first:
    /// a claim, its acknowledgement or EOB, a reversal and its response.
    public func chain(officeSequenceNumber: String, provider: String? = nil) throws -> [ChainEntry] {
        try database.prepare(
            """
            SELECT m.id, m.file_id, f.name, m.message_number, m.type, m.is_request, m.request_id, m.recorded_at,
                f.original_purged_at
            FROM messages m JOIN files f ON f.id = m.file_id
            WHERE m.office_sequence = ?1 AND (CAST(?2 AS TEXT) IS NULL OR m.provider = ?2) ORDER BY m.id
            """
        ).query([.text(officeSequenceNumber), provider.map { .text($0) } ?? .null], Self.readChainEntry)
    }

    /// The ledger numbers of the messages recorded for a file, in message order.
    public func messageIDs(fileID: Int64) throws -> [Int64] {
        try database.prepare("SELECT id FROM messages WHERE file_id = ? ORDER BY message_number").query([
            .integer(fileID)
        ]) { $0.int64(0) }
    }

    /// Responses for which no request was found (other than those that may come unsolicited), most recent first.
    public func unmatchedResponses(limit: Int = 20) throws -> [ChainEntry] {
        try database.prepare(
            """
            SELECT m.id, m.file_id, f.name, m.message_number, m.type, m.is_request, m.request_id, m.recorded_at,
                f.original_purged_at
            FROM messages m JOIN files f ON f.id = m.file_id
            WHERE m.is_request = 0 AND m.request_id IS NULL AND m.may_be_unsolicited = 0 ORDER BY m.id DESC LIMIT ?
            """
        ).query([.integer(Int64(limit))], Self.readChainEntry)
    }

    private static func readChainEntry(_ row: LedgerRow) -> ChainEntry {
        ChainEntry(
            messageID: row.int64(0), fileID: row.int64(1), fileName: row.text(2) ?? "", messageNumber: row.int(3),
            type: row.text(4) ?? "", isRequest: row.int(5) == 1, requestID: row.isNull(6) ? nil : row.int64(6),
            recordedAt: row.double(7), originalPurgedAt: row.isNull(8) ? nil : row.double(8))
    }
}
