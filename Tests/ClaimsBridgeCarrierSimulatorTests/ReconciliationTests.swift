import ClaimsBridge
import ClaimsBridgeCarrierSimulator
import ClaimsBridgeTestSupport
import ClaimsBridgeTransports
@testable import ClaimsBridgeWatcher
import Foundation
import Logging
import Testing

/// The watcher asks the carrier for its reconciliations (06 page by page → 16, 05 → 15) and matches the payment
/// lines to the claims it sent, which become `paid`.
@Suite("Scheduled reconciliation")
struct ReconciliationTests {
    /// Everyone covered at 80 %, no deductible, a maximum no test reaches; two payment lines per 16 page.
    static let plans = """
        carrierId: "000125"
        reconciliationPageSize: 2
        plans:
          - policy: GRP4471
            deductible: "0.00"
            annualMaximum: "100000.00"
            coverage: {"0": 80, "1": 80, "2": 80, "3": 80, "4": 80, "5": 80, "6": 80, "7": 80, "8": 80, "9": 80}
        """

    static func today() -> CalendarDate {
        Watcher.reconciliationDate(
            WatchConfiguration.Reconciliation(carrier: carrier, daysBack: 0), now: Date())!
    }

    static let carrier = WatchConfiguration.Mailbox(
        name: "sunlife", destination: "carrier", replies: "replies", transactionPrefix: "ITRANS000001",
        softwareSystemId: "CB1", carrierId: "000125", providerNumber: "123456789", officeNumber: "0001")

    @Test(
        "Five paid claims come back on three pages of 16 and a 15; each claim is paid once and the report agrees",
        arguments: StorageEngine.allCases)
    func pagesArePaid(_ engine: StorageEngine) async throws {
        let claim = String(decoding: try Fixtures.bytes("cdanet/v04/01-claim-basic.expected.json"), as: UTF8.self)
        let sequences = (1...5).map { String(format: "%06d", 300 + $0) }
        var claims: [String: String] = [:]
        for sequence in sequences {
            claims["claim-\(sequence).jsonl"] = claim.replacingOccurrences(of: "\"000101\"", with: "\"\(sequence)\"")
        }
        try await SimulatorWatch.withRunning(engine, plans: Self.plans, claims: claims) { watch in
            var reconciling = watch.configuration
            reconciling.reconciliations = [WatchConfiguration.Reconciliation(carrier: Self.carrier, daysBack: 0)]
            // The claims go out and their EOBs come back (read by the second run).
            try await watch.drain()
            try await watch.drain()
            let ledger = try watch.ledger()
            func states() throws -> [String] {
                try sequences.map { try watch.claimState($0, in: ledger) }
            }
            #expect(try states() == Array(repeating: "adjudicated", count: 5))

            // A run with `reconciliations:` asks at once: pages 1, 2 and 3 of the 16, then the 15.
            try await watch.drain(reconciling)
            #expect(try states() == Array(repeating: "paid", count: 5))
            let requests = try ledger.files(route: "reconciliation:sunlife", limit: 100)
                .filter { $0.name.hasPrefix("reconciliation-sunlife-") }
            #expect(requests.count == 4, "three pages of payment reconciliation and one summary")
            let report = try ledger.reconciliationReport(unpaidAfterDays: 0)
            #expect(report.paid.count == 5)
            #expect(Set(report.paid.map(\.officeSequenceNumber)) == Set(sequences))
            #expect(report.paid.allSatisfy { !$0.differsFromEOB && $0.payable != nil }, "each payment is the EOB's")
            #expect(report.unknownClaims.isEmpty)
            #expect(report.unpaid.isEmpty)
            #expect(try ledger.unmatchedResponses().isEmpty, "each 16 and 15 is matched to its 06 or 05, though it has no A05")

            // Asking again (by hand, for the same day) changes nothing: the same payment lines are recorded once.
            let again = try watch.watcher()
            // Off the cooperative pool, as the watcher's intake thread and the command do: the exchange waits for the
            // simulator, which answers on that pool.
            #expect(try await offPool { try again.reconcileNow(date: Self.today()) } == 0, "no reconciliation configured on this watcher")
            let byHand = try watch.watcher(reconciling)
            #expect(try await offPool { try byHand.reconcileNow(date: Self.today()) } == 4)
            try await watch.drain()
            #expect(try ledger.reconciliationReport(unpaidAfterDays: 0).paid.count == 5)
            #expect(try states() == Array(repeating: "paid", count: 5))

            // Another day has no payments: one empty page and an empty summary.
            let yesterday = Watcher.reconciliationDate(
                WatchConfiguration.Reconciliation(carrier: Self.carrier, daysBack: 1), now: Date())!
            #expect(try await offPool { try byHand.reconcileNow(date: yesterday) } == 2)
        }
    }

    @Test("The simulator answers a page past the last with error 123, and a summary with every line of the day")
    func simulatorPages() throws {
        let responder = CarrierResponder(table: try PlanTable.parse(yaml: Self.plans))
        let routing = Routing(
            transactionPrefix: "ITRANS000001", officeSequenceNumber: "000900", version: "04", carrierId: "000125",
            softwareSystemId: "CB1", encryptionMethod: EncryptionMethod.none)
        let providers = Providers(
            treating: Provider(cdaNumber: "123456789", officeNumber: "0001"),
            billing: Provider(cdaNumber: "123456789", officeNumber: "0001"))
        let page = responder.answer(
            .paymentReconciliationRequest(
                PaymentReconciliationRequest(
                    routing: routing, providers: providers, reconciliationDate: Self.today(), page: 2)))
        guard case .paymentReconciliation(let answer) = page else {
            Issue.record("a 16 was expected, got \(page.typeName)")
            return
        }
        #expect(answer.status == .rejected)
        #expect(answer.errors.map(\.code) == ["123"])
        #expect(answer.page == Page(current: 2, last: 1))
        let summary = responder.answer(
            .summaryReconciliationRequest(
                SummaryReconciliationRequest(routing: routing, providers: providers, reconciliationDate: Self.today())))
        guard case .summaryReconciliation(let empty) = summary else {
            Issue.record("a 15 was expected, got \(summary.typeName)")
            return
        }
        #expect(empty.status == .accepted && empty.payments.isEmpty && empty.payment.amount == .zero)
    }
}
