import ClaimsBridge

/// What a member has used of a plan in a benefit year.
struct MemberUsage: Sendable, Hashable {
    var deductibleUsed = Money.zero
    var benefitsPaid = Money.zero
}

/// The outcome of assessing a claim's procedure lines against a plan.
struct Adjudication: Sendable, Hashable {
    var procedures: [AdjudicatedProcedure] = []
    var serviceAmount = Money.zero
    var deductibleApplied = Money.zero
    var benefit = Money.zero
}

/// Computes what a plan pays for each procedure line: the deductible first (until the year's deductible is used),
/// then the plan's percentage for the procedure's class, never more than what is left of the annual maximum.
/// Lab fees are covered at their procedure's percentage, without deductible. For a COB claim, each line pays at
/// most what the primary carrier left unpaid of it.
enum Adjudicator {
    static func adjudicate(
        _ claim: Claim, plan: Plan, usage: MemberUsage, primaryEOB: ExplanationOfBenefits? = nil
    ) -> Adjudication {
        var result = Adjudication()
        var deductibleLeft = max(.zero, plan.deductible - usage.deductibleUsed)
        var maximumLeft = max(.zero, plan.annualMaximum - usage.benefitsPaid)
        let primaryLines = Dictionary(
            (primaryEOB?.procedures ?? []).map { ($0.lineNumber, $0) }, uniquingKeysWith: { first, _ in first })
        for procedure in claim.procedures {
            let percentage = plan.percentage(for: procedure.code)
            let eligible = procedure.fee
            let deductible = percentage == 0 ? .zero : min(deductibleLeft, eligible)
            deductibleLeft = deductibleLeft - deductible
            var benefit = min(share(of: eligible - deductible, percentage), maximumLeft)
            var labs: [LabAdjudication] = []
            var labBenefits = Money.zero
            for lab in procedure.labFees {
                let labBenefit = min(share(of: lab.fee, percentage), maximumLeft - benefit - labBenefits)
                labBenefits = labBenefits + labBenefit
                labs.append(
                    LabAdjudication(eligibleAmount: lab.fee, deductible: .zero, percentage: percentage, benefit: labBenefit))
            }
            if let primary = primaryLines[procedure.lineNumber] {
                // Coordination of benefits: never more than the primary carrier left unpaid of the line.
                let paidByPrimary = primary.labs.reduce(primary.benefit) { $0 + $1.benefit }
                let lineTotal = procedure.labFees.reduce(procedure.fee) { $0 + $1.fee }
                let unpaid = max(.zero, lineTotal - paidByPrimary)
                if benefit + labBenefits > unpaid {
                    benefit = min(benefit, unpaid)
                    var left = unpaid - benefit
                    for index in labs.indices {
                        labs[index].benefit = min(labs[index].benefit, left)
                        left = left - labs[index].benefit
                    }
                    labBenefits = labs.reduce(.zero) { $0 + $1.benefit }
                }
            }
            maximumLeft = maximumLeft - benefit - labBenefits
            result.procedures.append(
                AdjudicatedProcedure(
                    lineNumber: procedure.lineNumber, eligibleAmount: eligible, deductible: deductible,
                    percentage: percentage, benefit: benefit, labs: labs))
            result.serviceAmount = procedure.labFees.reduce(result.serviceAmount + procedure.fee) { $0 + $1.fee }
            result.deductibleApplied = result.deductibleApplied + deductible
            result.benefit = result.benefit + benefit + labBenefits
        }
        return result
    }

    /// `percentage` % of `amount`, rounded to the nearest cent (halves up).
    static func share(of amount: Money, _ percentage: Int) -> Money {
        guard amount.cents > 0 else { return .zero }
        return Money(cents: (amount.cents * Int64(percentage) + 50) / 100)
    }
}
