import ClaimsBridge
import ClaimsBridgeStorage
public import Foundation

/// What reconciling the carriers' payments with the claims found.
public struct ReconciliationReport: Sendable, Equatable {
    /// A payment line and the claim it pays (nil: no claim with its numbers was sent).
    public struct Payment: Sendable, Equatable {
        public var paymentReference: String
        public var carrierId: String
        public var officeSequenceNumber: String
        public var providerNumber: String
        public var claimReference: String
        public var amount: String
        public var claimKey: String?
        /// The EOB's payable amount for the claim, when an EOB was recorded.
        public var payable: String?
        /// Whether the payment differs from the EOB's payable amount.
        public var differsFromEOB: Bool {
            guard let payable, let paid = Money.parseCents(amount), let expected = Money.parseCents(payable) else {
                return false
            }
            return paid != expected
        }
    }

    /// A claim sent and answered but not paid after the given number of days.
    public struct Unpaid: Sendable, Equatable {
        public var claimKey: String
        public var officeSequenceNumber: String
        public var state: String
        public var since: Double
    }

    public var paid: [Payment]
    public var unknownClaims: [Payment]
    public var unpaid: [Unpaid]

    /// The report as one JSON document.
    public var json: [UInt8] {
        func payment(_ p: Payment) -> [String: Any] {
            var object: [String: Any] = [
                "paymentReference": p.paymentReference, "carrierId": p.carrierId,
                "officeSequenceNumber": p.officeSequenceNumber, "providerNumber": p.providerNumber,
                "claimReference": p.claimReference, "amount": p.amount, "differsFromEOB": p.differsFromEOB,
            ]
            if let key = p.claimKey { object["claimKey"] = key }
            if let payable = p.payable { object["eobPayable"] = payable }
            return object
        }
        let document: [String: Any] = [
            "paid": paid.map(payment), "paymentsForUnknownClaims": unknownClaims.map(payment),
            "unpaid": unpaid.map {
                ["claimKey": $0.claimKey, "officeSequenceNumber": $0.officeSequenceNumber, "state": $0.state,
                 "since": Date(timeIntervalSince1970: $0.since).formatted(.iso8601)]
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data()
        return Array(data) + [0x0A]
    }

    /// The report as CSV: one row per payment or unpaid claim, with its finding.
    public var csv: String {
        var rows = ["finding,payment_reference,carrier,office_sequence,provider,claim_reference,amount,eob_payable,claim_key,state"]
        func row(_ finding: String, _ p: Payment) -> String {
            [finding, p.paymentReference, p.carrierId, p.officeSequenceNumber, p.providerNumber, p.claimReference,
             p.amount, p.payable ?? "", p.claimKey ?? "", ""].map(Self.csvField).joined(separator: ",")
        }
        for p in paid { rows.append(row(p.differsFromEOB ? "paidDifferently" : "paid", p)) }
        for p in unknownClaims { rows.append(row("unknownClaim", p)) }
        for u in unpaid {
            rows.append(["unpaid", "", "", u.officeSequenceNumber, "", "", "", "", u.claimKey, u.state].map(Self.csvField)
                .joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    private static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

extension Ledger {
    /// Remembers what an EOB said is payable for a claim, to compare with the payment.
    func recordPayable(_ payable: String, claimKey: String) throws {
        try database.prepare(
            "INSERT INTO claim_amounts (claim_key, payable) VALUES (?, ?) ON CONFLICT (claim_key) DO UPDATE SET payable = excluded.payable"
        ).run([.text(claimKey), .text(payable)])
    }

    /// Records the lines of a payment or summary reconciliation (each once), matches each to the latest claim sent
    /// with its carrier, office sequence number and provider, and moves that claim to `paid`.
    func recordPayments(_ lines: [MessageIdentity.PaymentLine], reference: String, messageID: Int64) throws {
        let insert = try database.prepare(
            """
            INSERT INTO payments (message_id, payment_reference, carrier, office_sequence, provider,
                claim_reference, amount, claim_key, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """)
        for line in lines {
            let request = try latestClaim(
                carrierId: line.carrierId, officeSequenceNumber: line.officeSequenceNumber, provider: line.providerNumber)
            let key = request.map { Self.claimKey(requestMessageID: $0) }
            let paymentID = try insert.insert([
                .integer(messageID), .text(reference), .text(line.carrierId), .text(line.officeSequenceNumber),
                .text(line.providerNumber), .text(line.transactionReference), .text(line.amount),
                key.map { .text($0) } ?? .null, .real(Self.now),
            ])
            guard let key, paymentID != nil else { continue }
            _ = try applyStateUpdateInTransaction(
                StateUpdate(
                    kind: .claim, key: key, to: ClaimState.paid.rawValue,
                    source: "payment:\(reference):\(line.transactionReference)", occurredAt: Self.now,
                    subject: [
                        "officeSequenceNumber": line.officeSequenceNumber, "carrierId": line.carrierId,
                        "providerNumber": line.providerNumber,
                    ]))
        }
    }

    /// The ledger number of the latest claim (or COB claim, predetermination) sent with this carrier, office sequence
    /// number and provider; nil when none was.
    public func latestClaim(carrierId: String, officeSequenceNumber: String, provider: String) throws -> Int64? {
        let types = ClaimState.trackedRequestTypes.sorted()
        let placeholders = types.map { _ in "?" }.joined(separator: ", ")
        return try database.prepare(
            """
            SELECT id FROM messages WHERE is_request = 1 AND office_sequence = ? AND provider = ? AND carrier = ?
              AND type IN (\(placeholders)) ORDER BY id DESC LIMIT 1
            """
        ).query([.text(officeSequenceNumber), .text(provider), .text(carrierId)] + types.map { .text($0) }) {
            $0.int64(0)
        }.first
    }

    /// Payments matched and not matched to claims, and claims answered but not paid `unpaidAfterDays` after
    /// their last change.
    public func reconciliationReport(unpaidAfterDays: Int, now: Date = Date()) throws -> ReconciliationReport {
        let payments = try database.prepare(
            """
            SELECT p.payment_reference, p.carrier, p.office_sequence, p.provider, p.claim_reference, p.amount, p.claim_key,
                a.payable FROM payments p LEFT JOIN claim_amounts a ON a.claim_key = p.claim_key ORDER BY p.id
            """
        ).query([]) { row in
            ReconciliationReport.Payment(
                paymentReference: row.text(0) ?? "", carrierId: row.text(1) ?? "", officeSequenceNumber: row.text(2) ?? "",
                providerNumber: row.text(3) ?? "", claimReference: row.text(4) ?? "", amount: row.text(5) ?? "",
                claimKey: row.text(6), payable: row.text(7))
        }
        let cutoff = now.timeIntervalSince1970 - Double(unpaidAfterDays) * 86_400
        let unpaid = try database.prepare(
            """
            SELECT key, lookup, state, updated_at FROM tracked_states
            WHERE kind = 'claim' AND state IN ('submitted', 'pended', 'acknowledged', 'adjudicated') AND updated_at <= ?
            ORDER BY updated_at
            """
        ).query([.real(cutoff)]) { row in
            ReconciliationReport.Unpaid(
                claimKey: row.text(0) ?? "", officeSequenceNumber: row.text(1) ?? "", state: row.text(2) ?? "",
                since: row.double(3))
        }
        return ReconciliationReport(
            paid: payments.filter { $0.claimKey != nil }, unknownClaims: payments.filter { $0.claimKey == nil },
            unpaid: unpaid)
    }
}
