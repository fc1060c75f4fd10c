public import ClaimsBridge

/// Answers CDAnet requests, as model messages, the way a carrier would: claims (01) and COB claims (07) with an
/// explanation of benefits (21) or an acknowledgement (11), predeterminations (03) with 23 or 13, reversals (02)
/// with 12, eligibility (08) with 18, the mailbox (04) with the oldest pended answer or 14 "no more responses", and
/// reconciliation requests with the payments of the day asked for (06 → 16 page by page, 05 → 15). Version 02 claims
/// (01) get the same answers in version 02, and a version 02 request for pended claims (04) releases them.
/// Requests it cannot accept get the acknowledgement of their kind with status "rejected" and CDAnet error codes.
///
/// Every answer echoes the request's A01 (prefix), A02 (office sequence number) and A05 (carrier), and the
/// treating provider (B01, B02); A11 says whether answers wait in the office's mailbox.
public final class CarrierResponder: Sendable {
    /// The plan table.
    public let table: PlanTable
    let book = CarrierBook()

    /// A responder with an empty memory: no usage, no paid claims, empty mailboxes.
    public init(table: PlanTable) {
        self.table = table
    }

    /// The plan a request is for, if the table has it (by its primary policy number, C01).
    public func plan(for request: ModelMessage) -> Plan? {
        switch request {
        case .claim(let claim), .cobClaim(let claim), .predetermination(let claim):
            table.plan(policy: claim.coverage.primary.policyNumber)
        case .eligibilityRequest(let request): table.plan(policy: request.coverage.primary.policyNumber)
        case .claimReversal(let reversal): table.plan(policy: reversal.coverage.primary.policyNumber)
        default: nil
        }
    }

    /// The answer to `request`.
    /// - Parameter problems: the carrier rules the request breaks (from ``ModelCodec/read(_:)``); when there are
    ///   any, the request is rejected with their CDAnet error codes.
    public func answer(_ request: ModelMessage, problems: [CarrierProblem] = []) -> ModelMessage {
        let routing = request.routing
        let office = Self.office(of: request)
        if !problems.isEmpty {
            var codes: [String] = []
            for problem in problems where !codes.contains(problem.cdanetCode) { codes.append(problem.cdanetCode) }
            return reject(request, office: office, codes: codes, "The request breaks the carrier's rules.")
        }
        if routing.version == "02", case .outstandingTransactionsRequest(let request) = request {
            return answerVersion02Mailbox(request, office: office)
        }
        var version02Claim = false
        if routing.version == "02", case .claim = request { version02Claim = true }
        if routing.version != "04", !version02Claim {
            return reject(request, office: office, "125", "Only CDAnet version 04 is accepted, and version 02 claims.")
        }
        if let carrier = routing.carrierId, carrier != table.carrierId, carrier != "999999" {
            return reject(request, office: office, "005", "This carrier is not the one addressed.")
        }
        switch request {
        case .claim(let claim): return answerClaim(claim, office: office, cob: false)
        case .cobClaim(let claim): return answerClaim(claim, office: office, cob: true)
        case .predetermination(let claim): return answerPredetermination(claim, office: office)
        case .eligibilityRequest(let eligibility): return answerEligibility(eligibility, office: office)
        case .claimReversal(let reversal): return answerReversal(reversal, office: office)
        case .outstandingTransactionsRequest(let request): return answerMailbox(request, office: office)
        case .paymentReconciliationRequest(let request): return answerPaymentReconciliation(request, office: office)
        case .summaryReconciliationRequest(let request): return answerSummaryReconciliation(request, office: office)
        default:
            return reject(request, office: office, "124", "This transaction is not supported by the carrier.")
        }
    }

    /// The office a request comes from: the treating provider's CDA number (B01).
    static func office(of request: ModelMessage) -> String {
        let providers: Providers? =
            switch request {
            case .claim(let m), .cobClaim(let m), .predetermination(let m): m.providers
            case .eligibilityRequest(let m): m.providers
            case .claimReversal(let m): m.providers
            case .outstandingTransactionsRequest(let m): m.providers
            case .paymentReconciliationRequest(let m): m.providers
            case .summaryReconciliationRequest(let m): m.providers
            default: nil
            }
        return providers?.treating?.cdaNumber?.trimmingSpaces ?? ""
    }

    static func treating(_ providers: Providers?) -> Providers? {
        providers?.treating.map { Providers(treating: $0) }
    }

    /// The reply's header: the request's A01, A02 and A05, version 04, and the mailbox flag (A11). A version 02
    /// claim's reply is version 02, which has no mailbox flag.
    func routing(_ request: Routing, office: String) -> Routing {
        if request.version == "02" {
            return Routing(
                transactionPrefix: request.transactionPrefix, officeSequenceNumber: request.officeSequenceNumber,
                version: "02", carrierId: request.carrierId ?? table.carrierId)
        }
        return Routing(
            transactionPrefix: request.transactionPrefix, officeSequenceNumber: request.officeSequenceNumber,
            version: "04", carrierId: request.carrierId ?? table.carrierId,
            mailbox: book.hasMail(for: office) ? .itemsWaiting : .empty)
    }

    /// The mailbox an answer waits in: the office's, one for each version (a version 02 request for pended claims
    /// releases only version 02 answers, and a version 04 04 only version 04 ones).
    static func mailbox(of office: String, version: String) -> String {
        version == "02" ? "02/" + office : office
    }

    static func member(_ coverage: CoverageDetails) -> String {
        (coverage.policyNumber?.trimmingSpaces ?? "") + "/" + (coverage.certificateNumber?.trimmingSpaces ?? "") + "/"
            + (coverage.dependantCode ?? "")
    }

    /// Why the plan cannot accept a request for `coverage`, as a CDAnet error code and a sentence.
    func refusal(_ coverage: CoverageDetails) -> (code: String, text: String)? {
        guard let plan = table.plan(policy: coverage.policyNumber) else {
            return ("009", "The policy number is not one of this carrier's plans.")
        }
        guard plan.covers(certificate: coverage.certificateNumber) else {
            return ("149", "The patient is not covered by this plan.")
        }
        return nil
    }
}

extension CarrierResponder {
    /// The answer to bytes that are not a readable CDAnet request: an 11 rejecting it with error 997 ("last
    /// transaction unreadable"), echoing A01 and A02 when they are there.
    public func answerUnreadable(_ bytes: [UInt8]) -> ModelMessage {
        func text(_ range: Range<Int>) -> String? {
            guard bytes.count >= range.upperBound else { return nil }
            let slice = bytes[range]
            guard slice.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
            return String(decoding: slice, as: UTF8.self)
        }
        let sequence = text(12..<18).flatMap { $0.allSatisfy(\.isASCIIDigit) ? $0 : nil } ?? "000000"
        return .claimAcknowledgement(
            Acknowledgement(
                routing: Routing(
                    transactionPrefix: text(0..<12), officeSequenceNumber: sequence, version: "04",
                    carrierId: table.carrierId, mailbox: .empty),
                status: .rejected, disposition: "The message could not be read.", totals: Totals(serviceAmount: .zero),
                language: .english, formId: .claimAcknowledgement, errors: [ResponseError(lineNumber: 0, code: "997")]))
    }
}
