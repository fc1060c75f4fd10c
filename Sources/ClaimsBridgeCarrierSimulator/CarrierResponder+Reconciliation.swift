import ClaimsBridge
import Foundation

extension CarrierResponder {
    /// A payment reconciliation (16): page F38 of the payments due on the requested day (F33) to the office, for the
    /// claims this carrier answered that day (an EOB or an accepted acknowledgement; a pended claim from the day its
    /// EOB left the mailbox) and has not reversed. Each page lists `reconciliationPageSize` lines; F38 and G62 say
    /// which page this is and which is the last. Page 0 or past the last is refused with error 123.
    func answerPaymentReconciliation(_ request: PaymentReconciliationRequest, office: String) -> ModelMessage {
        let due = book.payments(for: office, on: request.reconciliationDate)
        let (size, last) = Self.pages(lines: due.count, pageSize: table.reconciliationPageSize ?? 5)
        var answer = reconciliation(
            request.routing, office: office, date: request.reconciliationDate, total: due, lines: [])
        answer.providers = Providers(billing: Provider(officeNumber: request.providers?.billing?.officeNumber))
        guard request.reconciliationDate != nil, (1...last).contains(request.page) else {
            answer.status = .rejected
            answer.payment.amount = .zero
            answer.page = Page(current: max(0, min(request.page, 9)), last: last)
            answer.errors = [ResponseError(code: request.reconciliationDate == nil ? "097" : "123")]
            return .paymentReconciliation(answer)
        }
        answer.page = Page(current: request.page, last: last)
        answer.payments = due.dropFirst((request.page - 1) * size).prefix(size).map { line in
            PaymentLine(
                provider: line.due.provider, carrierId: line.due.carrierId, officeSequenceNumber: line.sequence,
                transactionReference: line.reference, amount: line.due.amount)
        }
        return .paymentReconciliation(answer)
    }

    /// A summary reconciliation (15): every payment due on the requested day (F33) to the office, in one message.
    func answerSummaryReconciliation(_ request: SummaryReconciliationRequest, office: String) -> ModelMessage {
        let due = book.payments(for: office, on: request.reconciliationDate)
        var answer = reconciliation(
            request.routing, office: office, date: request.reconciliationDate, total: due,
            lines: due.prefix(250).map { line in
                PaymentLine(
                    provider: Provider(cdaNumber: line.due.provider.cdaNumber), carrierId: line.due.carrierId,
                    officeSequenceNumber: line.sequence, transactionReference: line.reference, amount: line.due.amount)
            })
        answer.providers = Providers(treating: Provider(officeNumber: request.providers?.treating?.officeNumber))
        if request.reconciliationDate == nil {
            answer.status = .rejected
            answer.errors = [ResponseError(code: "097")]
        }
        return .summaryReconciliation(answer)
    }

    /// Lines per page and the number of pages for `lines` payment lines: at most nine pages (one digit).
    static func pages(lines: Int, pageSize: Int) -> (size: Int, last: Int) {
        let size = max(pageSize, (lines + 8) / 9, 1)
        return (size, max(1, (lines + size - 1) / size))
    }

    private func reconciliation(
        _ request: Routing, office: String, date: CalendarDate?,
        total due: [(reference: String, sequence: String, due: CarrierBook.PaymentDue)], lines: [PaymentLine]
    ) -> Reconciliation {
        var header = routing(request, office: office)
        header.carrierId = nil  // 15 and 16 have no A05
        return Reconciliation(
            routing: header, transactionReference: book.nextReference(), status: .accepted,
            payment: Payment(
                reference: date.map(Self.paymentReference), date: date,
                amount: due.reduce(Money.zero) { $0 + $1.due.amount }, adjustment: .zero),
            payments: lines)
    }

    /// The payment reference [G34] of a day's payment to the office: the same in the summary and in every page of
    /// the payment reconciliation, as both describe one deposit.
    static func paymentReference(_ date: CalendarDate) -> String {
        "SIMPAY" + String(format: "%02d%02d", date.month, date.day)
    }

    /// Today's date in UTC: the day a claim is paid, for reconciliations.
    static func today() -> CalendarDate? {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }
}
