public import ClaimsBridge
import Foundation
import Logging

extension Watcher {
    /// Asks every configured carrier for its reconciliations of `date` now (``reconcile(_:date:ledger:)``), and
    /// returns how many answers were dropped into the reply routes' inboxes; a run of the watcher then applies them.
    public func reconcileNow(date: CalendarDate) throws -> Int {
        let ledger = try Ledger(location: ledgerLocation, permissions: configuration.statePermissions)
        var dropped = 0
        for reconciliation in configuration.reconciliations where !isStopping {
            dropped += try reconcile(reconciliation, date: date, ledger: ledger)
        }
        return dropped
    }

    /// Sends a carrier's reconciliation requests for `date`: payment reconciliation (06) page 1, then each next page
    /// until the reply's page (F38) is its last (G62), at most nine; then the summary reconciliation (05). Every
    /// answer (16, 15) is dropped into the reply route's inbox, where its payment lines are matched to the claims
    /// they pay. A refused request (G05 `R`) or an unreachable carrier ends the run; it is asked again next time.
    /// - Returns: how many answers were dropped.
    func reconcile(_ reconciliation: WatchConfiguration.Reconciliation, date: CalendarDate, ledger: Ledger) throws -> Int {
        guard let catalog = resources.catalog else { return 0 }
        let carrier = reconciliation.carrier
        let submissions = try LedgerSubmissions(ledger: ledger, catalog: catalog)
        var dropped = 0
        func ask(_ request: [UInt8], expecting code: String) throws -> [UInt8]? {
            guard
                let (id, _, reply) = try exchangeRecorded(
                    request, for: carrier, kind: "reconciliation", ledger: ledger, submissions: submissions,
                    catalog: catalog)
            else { return nil }
            guard Self.transactionCode(of: reply) == code else {
                logger.error(
                    "the carrier did not answer the reconciliation request with a \(code)",
                    metadata: ["reconciliation": "\(carrier.name)", "code": "\(Self.transactionCode(of: reply) ?? "")"])
                return nil
            }
            try dropAnswer(reply, of: carrier, name: "reconciliation-\(carrier.name)-\(id).txt")
            dropped += 1
            // G05 (offset 46 in 15 and 16): `R`, the request was refused.
            if reply.count > 46 && reply[46] == UInt8(ascii: "R") {
                logger.warning(
                    "the carrier refused the reconciliation request; see its answer's errors",
                    metadata: ["reconciliation": "\(carrier.name)", "date": "\(date)"])
                return nil
            }
            return reply
        }
        if reconciliation.requests.contains(.payment) {
            var page = 1
            while page <= 9, !isStopping,
                let reply = try ask(Self.paymentReconciliationRequest(reconciliation, date: date, page: page), expecting: "16")
            {
                // F38 (offset 86) is this page, G62 (offset 87) the last.
                guard reply.count > 87, let last = Int(String(decoding: reply[87...87], as: UTF8.self)), page < last
                else { break }
                page += 1
            }
        }
        if reconciliation.requests.contains(.summary), !isStopping {
            _ = try ask(Self.summaryReconciliationRequest(reconciliation, date: date), expecting: "15")
        }
        logger.info(
            "reconciliation asked for", metadata: ["reconciliation": "\(carrier.name)", "date": "\(date)", "answers": "\(dropped)"])
        return dropped
    }

    /// The day a scheduled reconciliation asks for: `daysBack` days before `now`, in UTC.
    static func reconciliationDate(_ reconciliation: WatchConfiguration.Reconciliation, now: Date) -> CalendarDate? {
        let day = now.addingTimeInterval(-86_400 * Double(reconciliation.daysBack))
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: day)
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    static func paymentReconciliationRequest(
        _ reconciliation: WatchConfiguration.Reconciliation, date: CalendarDate, page: Int
    ) -> [UInt8] {
        let carrier = reconciliation.carrier
        return modelRequest(
            type: "paymentReconciliationRequest", carrier: carrier, version: "04", carrierId: carrier.carrierId,
            providers: "{\"treating\":{\"cdaNumber\":" + quoted(carrier.providerNumber) + ",\"officeNumber\":"
                + quoted(carrier.officeNumber) + "},\"billing\":{\"cdaNumber\":"
                + quoted(reconciliation.billingProvider ?? carrier.providerNumber) + ",\"officeNumber\":"
                + quoted(reconciliation.billingOffice ?? carrier.officeNumber) + "}}",
            extra: ",\"reconciliationDate\":\"\(date)\",\"page\":\(page)")
    }

    static func summaryReconciliationRequest(_ reconciliation: WatchConfiguration.Reconciliation, date: CalendarDate)
        -> [UInt8]
    {
        let carrier = reconciliation.carrier
        return modelRequest(
            type: "summaryReconciliationRequest", carrier: carrier, version: "04", carrierId: carrier.carrierId,
            providers: "{\"treating\":{\"cdaNumber\":" + quoted(carrier.providerNumber) + ",\"officeNumber\":"
                + quoted(carrier.officeNumber) + "}}",
            extra: ",\"reconciliationDate\":\"\(date)\"")
    }
}
