import ClaimsBridge

extension CarrierResponder {
    func answerClaim(_ claim: Claim, office: String, cob: Bool) -> ModelMessage {
        let request: ModelMessage = cob ? .cobClaim(claim) : .claim(claim)
        let total = Self.serviceAmount(claim)
        if let refusal = refusal(claim.coverage.primary) {
            return reject(request, office: office, refusal.code, refusal.text, total: total)
        }
        guard !claim.procedures.isEmpty else {
            return reject(request, office: office, "052", "A claim needs at least one procedure.", total: total)
        }
        let plan = table.plan(policy: claim.coverage.primary.policyNumber)!
        let member = Self.member(claim.coverage.primary)
        var primaryEOB: ExplanationOfBenefits?
        if cob, case .explanationOfBenefits(let eob)? = claim.primaryEOB { primaryEOB = eob }
        let adjudication = Adjudicator.adjudicate(claim, plan: plan, usage: book.usage(of: member), primaryEOB: primaryEOB)
        let reference = book.nextReference()
        book.recordPaid(
            reference: reference,
            claim: .init(
                member: member, officeSequenceNumber: claim.routing.officeSequenceNumber,
                usage: MemberUsage(deductibleUsed: adjudication.deductibleApplied, benefitsPaid: adjudication.benefit),
                serviceAmount: adjudication.serviceAmount,
                payment: adjudication.benefit > .zero
                    ? .init(
                        carrierId: table.carrierId,
                        provider: Provider(
                            cdaNumber: claim.providers.treating?.cdaNumber,
                            officeNumber: claim.providers.treating?.officeNumber,
                            billingNumber: claim.providers.billing?.cdaNumber ?? claim.providers.treating?.cdaNumber),
                        amount: adjudication.benefit, day: Self.today(), released: plan.reply != .pend)
                    : nil))
        let language = claim.subscriber?.language ?? .english
        switch plan.reply ?? .eob {
        case .acknowledgement:
            return .claimAcknowledgement(
                acknowledgement(
                    claim.routing, office: office, providers: claim.providers, reference: reference, status: .accepted,
                    disposition: "Claim received; payment to follow.", total: total, language: language,
                    form: .claimAcknowledgement))
        case .pend:
            // The EOB goes to the mailbox first, so that this answer's A11 says it is waiting.
            book.pend(
                .explanationOfBenefits(eob(claim, adjudication, reference: reference, office: office)),
                for: Self.mailbox(of: office, version: claim.routing.version))
            return .claimAcknowledgement(
                acknowledgement(
                    claim.routing, office: office, providers: claim.providers, reference: reference,
                    status: .heldReplyLater, disposition: "Claim held for review; ask the mailbox later.", total: total,
                    language: language, form: .claimAcknowledgement))
        case .eob:
            return .explanationOfBenefits(eob(claim, adjudication, reference: reference, office: office))
        }
    }

    func answerPredetermination(_ claim: Claim, office: String) -> ModelMessage {
        let request = ModelMessage.predetermination(claim)
        let total = Self.serviceAmount(claim)
        if let refusal = refusal(claim.coverage.primary) {
            return reject(request, office: office, refusal.code, refusal.text, total: total)
        }
        guard !claim.procedures.isEmpty else {
            return reject(request, office: office, "052", "A predetermination needs at least one procedure.", total: total)
        }
        let plan = table.plan(policy: claim.coverage.primary.policyNumber)!
        let usage = book.usage(of: Self.member(claim.coverage.primary))
        let adjudication = Adjudicator.adjudicate(claim, plan: plan, usage: usage)
        let reference = book.nextReference()
        let language = claim.subscriber?.language ?? .english
        func estimate() -> ExplanationOfBenefits {
            var eob = eob(claim, adjudication, reference: reference, office: office)
            eob.formId = .predeterminationEOB
            eob.page = Page(current: 1, last: 1)
            eob.expectedPaymentDate = nil
            eob.payee = nil
            eob.totals.payable = nil
            eob.totals.paymentAdjustment = nil
            return eob
        }
        switch plan.reply ?? .eob {
        case .eob:
            return .predeterminationEOB(estimate())
        case .acknowledgement, .pend:
            let pended = plan.reply == .pend
            if pended { book.pend(.predeterminationEOB(estimate()), for: office) }
            var acknowledgement = acknowledgement(
                claim.routing, office: office, providers: claim.providers, reference: reference,
                status: pended ? .heldReplyLater : .accepted,
                disposition: pended ? "Predetermination held; ask the mailbox later." : "Predetermination received.",
                total: total, language: language, form: .predeterminationAcknowledgement)
            acknowledgement.page = Page(current: 1, last: 1)
            return .predeterminationAcknowledgement(acknowledgement)
        }
    }

    func answerEligibility(_ request: EligibilityRequest, office: String) -> ModelMessage {
        if let refusal = refusal(request.coverage.primary) {
            return reject(.eligibilityRequest(request), office: office, refusal.code, refusal.text)
        }
        return .eligibilityResponse(
            Acknowledgement(
                routing: routing(request.routing, office: office), providers: Self.treating(request.providers),
                transactionReference: book.nextReference(), status: .eligible,
                disposition: "The patient is covered.", formId: .eligibility))
    }

    func answerReversal(_ reversal: ClaimReversal, office: String) -> ModelMessage {
        let request = ModelMessage.claimReversal(reversal)
        guard let reference = reversal.originalTransactionReference?.trimmingSpaces, !reference.isEmpty,
            let claim = book.reverse(reference: reference, officeSequenceNumber: reversal.routing.officeSequenceNumber)
        else {
            return reject(request, office: office, "046", "No claim of this office has that reference to reverse.")
        }
        return .claimReversalResponse(
            Acknowledgement(
                routing: routing(reversal.routing, office: office), providers: Self.treating(reversal.providers),
                secondaryCarrierTransactionCounter: reversal.coverage.secondary?.carrierTransactionCounter ?? "000000",
                transactionReference: reference, status: .accepted, disposition: "Claim reversed.",
                totals: Totals(serviceAmount: claim.serviceAmount)))
    }

    func answerMailbox(_ request: OutstandingTransactionsRequest, office: String) -> ModelMessage {
        let (message, moreWaiting) = book.takeFromMailbox(of: office, day: Self.today())
        guard var message else {
            var providers = Self.treating(request.providers)
            providers?.billing = request.providers?.billing
            return .outstandingTransactionsAcknowledgement(
                Acknowledgement(
                    routing: routing(request.routing, office: office), providers: providers,
                    status: .noMoreResponses, disposition: "No outstanding responses."))
        }
        message.setMailbox(moreWaiting ? .itemsWaiting : .empty)
        return message
    }

    /// A version 02 request for pended claims: the oldest version 02 answer held for the office (version 02 has no
    /// mailbox flag), or, when none is left, the version 02 way of saying so: an 11 carrying error 049 ("no
    /// outstanding responses") that echoes the request's A02.
    func answerVersion02Mailbox(_ request: OutstandingTransactionsRequest, office: String) -> ModelMessage {
        if let message = book.takeFromMailbox(of: Self.mailbox(of: office, version: "02"), day: Self.today()).message {
            return message
        }
        return .claimAcknowledgement(
            Acknowledgement(
                routing: Routing(
                    transactionPrefix: request.routing.transactionPrefix,
                    officeSequenceNumber: request.routing.officeSequenceNumber, version: "02", carrierId: table.carrierId),
                providers: Self.treating(request.providers), status: .rejected, disposition: "No outstanding responses.",
                employerCertified: .no, totals: Totals(serviceAmount: .zero), language: .english,
                errors: [ResponseError(lineNumber: 0, code: "049")]))
    }

    /// The acknowledgement of the request's kind (11, 13, 12, 18 or 14) with status "rejected" and one error.
    func reject(
        _ request: ModelMessage, office: String, _ code: String, _ text: String, total: Money = .zero
    ) -> ModelMessage {
        reject(request, office: office, codes: [code], text, total: total)
    }

    /// The acknowledgement of the request's kind with status "rejected" and up to ten CDAnet error codes.
    func reject(
        _ request: ModelMessage, office: String, codes: [String], _ text: String, total: Money = .zero
    ) -> ModelMessage {
        var providers: Providers?
        switch request {
        case .claim(let m), .cobClaim(let m), .predetermination(let m): providers = m.providers
        case .eligibilityRequest(let m): providers = m.providers
        case .claimReversal(let m): providers = m.providers
        case .outstandingTransactionsRequest(let m): providers = m.providers
        default: break
        }
        let error = codes.prefix(10).map { ResponseError(lineNumber: 0, code: $0) }
        if request.routing.version == "02", case .claim(let claim) = request {
            return .claimAcknowledgement(
                acknowledgement(
                    claim.routing, office: office, providers: providers, reference: nil, status: .rejected,
                    disposition: text, total: total, language: .english, form: .claimAcknowledgement, errors: error))
        }
        var acknowledgement = Acknowledgement(
            routing: routing(request.routing, office: office), providers: Self.treating(providers), status: .rejected,
            disposition: text, totals: Totals(serviceAmount: total), language: .english, formId: .claimAcknowledgement,
            errors: error)
        switch request {
        case .eligibilityRequest:
            acknowledgement.totals = nil
            acknowledgement.language = nil
            acknowledgement.formId = .eligibility
            acknowledgement.errors = error.map { ResponseError(code: $0.code) }
            return .eligibilityResponse(acknowledgement)
        case .predetermination:
            acknowledgement.formId = .predeterminationAcknowledgement
            acknowledgement.page = Page(current: 1, last: 1)
            return .predeterminationAcknowledgement(acknowledgement)
        case .claimReversal:
            acknowledgement.language = nil
            acknowledgement.formId = nil
            acknowledgement.secondaryCarrierTransactionCounter = "000000"
            acknowledgement.errors = error.map { ResponseError(code: $0.code) }
            return .claimReversalResponse(acknowledgement)
        case .outstandingTransactionsRequest:
            acknowledgement.totals = nil
            acknowledgement.language = nil
            acknowledgement.formId = nil
            acknowledgement.errors = error.map { ResponseError(code: $0.code) }
            return .outstandingTransactionsAcknowledgement(acknowledgement)
        default:
            return .claimAcknowledgement(acknowledgement)
        }
    }

    /// An 11 or 13 to a request with `routing`; version 02's has no form id and says whether the employer certified
    /// the claim (G02, here "no").
    func acknowledgement(
        _ routing: Routing, office: String, providers: Providers?, reference: String?, status: ResponseStatus,
        disposition: String, total: Money, language: Language, form: FormID, errors: [ResponseError] = []
    ) -> Acknowledgement {
        let version02 = routing.version == "02"
        return Acknowledgement(
            routing: self.routing(routing, office: office), providers: Self.treating(providers),
            transactionReference: reference, status: status, disposition: disposition,
            employerCertified: version02 ? .no : nil, totals: Totals(serviceAmount: total), language: language,
            formId: version02 ? nil : form, errors: errors)
    }

    /// The 21 answering `claim`. Version 02's has no form id, payee, payment adjustment or payable amount (the
    /// benefit is what is paid) and no lab lines, and says whether a letter follows (G09, here none).
    func eob(_ claim: Claim, _ adjudication: Adjudication, reference: String, office: String) -> ExplanationOfBenefits {
        var eob = version04EOB(claim, adjudication, reference: reference, office: office)
        if claim.routing.version == "02" {
            eob.formId = nil
            eob.payee = nil
            eob.emailFlag = EmailFlag.none
            eob.totals.paymentAdjustment = nil
            eob.totals.payable = nil
            for index in eob.procedures.indices { eob.procedures[index].labs = [] }
        }
        return eob
    }

    private func version04EOB(
        _ claim: Claim, _ adjudication: Adjudication, reference: String, office: String
    ) -> ExplanationOfBenefits {
        ExplanationOfBenefits(
            routing: routing(claim.routing, office: office), providers: Self.treating(claim.providers),
            transactionReference: reference, expectedPaymentDate: claim.procedures.compactMap(\.serviceDate).max(),
            language: claim.subscriber?.language ?? .english, formId: .eob, payee: claim.payee ?? .dentist,
            validationCode: "SIMULATED",
            totals: Totals(
                serviceAmount: adjudication.serviceAmount, benefitAmount: adjudication.benefit,
                deductibleNotAllocated: .zero, paymentAdjustment: .zero, payable: adjudication.benefit),
            procedures: adjudication.procedures)
    }

    static func serviceAmount(_ claim: Claim) -> Money {
        claim.procedures.reduce(Money.zero) { total, procedure in
            procedure.labFees.reduce(total + procedure.fee) { $0 + $1.fee }
        }
    }
}

extension ModelMessage {
    /// Sets the mailbox flag (A11) of a response.
    mutating func setMailbox(_ mailbox: Mailbox) {
        switch self {
        case .claimAcknowledgement(var m): m.routing.mailbox = mailbox; self = .claimAcknowledgement(m)
        case .predeterminationAcknowledgement(var m):
            m.routing.mailbox = mailbox
            self = .predeterminationAcknowledgement(m)
        case .explanationOfBenefits(var m): m.routing.mailbox = mailbox; self = .explanationOfBenefits(m)
        case .predeterminationEOB(var m): m.routing.mailbox = mailbox; self = .predeterminationEOB(m)
        default: break
        }
    }
}
