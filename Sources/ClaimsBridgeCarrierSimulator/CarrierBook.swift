import ClaimsBridge
import Synchronization

/// What the simulated carrier remembers between requests, in memory: each member's use of their plan, the claims
/// it paid (for reversals), the answers waiting in each office's mailbox, and its reference counter.
final class CarrierBook: Sendable {
    struct PaidClaim: Sendable {
        var member: String
        var officeSequenceNumber: String
        var usage: MemberUsage
        var serviceAmount: Money
        var reversed = false
        /// What the claim pays and to whom, for reconciliations; nil for claims not paid (rejected, predeterminations).
        var payment: PaymentDue?
    }

    /// A claim's payment as a reconciliation lists it: the day its answer reached the office, the amount and the
    /// office's numbers. `released` is false while the answer waits in the mailbox.
    struct PaymentDue: Sendable {
        var carrierId: String
        var provider: Provider
        var amount: Money
        var day: CalendarDate?
        var released: Bool
    }

    private struct State {
        var usage: [String: MemberUsage] = [:]
        var paid: [String: PaidClaim] = [:]
        var mailboxes: [String: [ModelMessage]] = [:]
        var counter = 0
        /// References of paid claims in the order they were adjudicated.
        var order: [String] = []
    }

    private let state = Mutex(State())

    /// A new carrier reference [G01]: `SIM` and a running number, 14 characters.
    func nextReference() -> String {
        state.withLock { state in
            state.counter += 1
            let digits = String(state.counter)
            return "SIM" + String(repeating: "0", count: max(0, 11 - digits.count)) + digits
        }
    }

    func usage(of member: String) -> MemberUsage {
        state.withLock { $0.usage[member] ?? MemberUsage() }
    }

    /// Records a paid claim under its reference and adds it to the member's usage.
    func recordPaid(reference: String, claim: PaidClaim) {
        state.withLock { state in
            state.paid[reference] = claim
            state.order.append(reference)
            var usage = state.usage[claim.member] ?? MemberUsage()
            usage.deductibleUsed = usage.deductibleUsed + claim.usage.deductibleUsed
            usage.benefitsPaid = usage.benefitsPaid + claim.usage.benefitsPaid
            state.usage[claim.member] = usage
        }
    }

    /// Reverses the claim paid under `reference`, giving its deductible and benefits back to the member.
    /// - Returns: the claim, or nil when no claim has that reference, it was already reversed, or its office
    ///   sequence number is not `officeSequenceNumber` (a reversal repeats the claim's A02).
    func reverse(reference: String, officeSequenceNumber: String) -> PaidClaim? {
        state.withLock { state in
            guard var claim = state.paid[reference], !claim.reversed,
                claim.officeSequenceNumber == officeSequenceNumber
            else { return nil }
            claim.reversed = true
            state.paid[reference] = claim
            var usage = state.usage[claim.member] ?? MemberUsage()
            usage.deductibleUsed = max(.zero, usage.deductibleUsed - claim.usage.deductibleUsed)
            usage.benefitsPaid = max(.zero, usage.benefitsPaid - claim.usage.benefitsPaid)
            state.usage[claim.member] = usage
            return claim
        }
    }

    /// Keeps an answer for the office's mailbox.
    func pend(_ message: ModelMessage, for office: String) {
        state.withLock { $0.mailboxes[office, default: []].append(message) }
    }

    /// Takes the oldest answer waiting for the office, and says whether more are waiting. A claim whose EOB
    /// comes out is paid from `day` on.
    func takeFromMailbox(of office: String, day: CalendarDate?) -> (message: ModelMessage?, moreWaiting: Bool) {
        state.withLock { state in
            guard var box = state.mailboxes[office], !box.isEmpty else { return (nil, false) }
            let first = box.removeFirst()
            state.mailboxes[office] = box
            if case .explanationOfBenefits(let eob) = first, let reference = eob.transactionReference,
                state.paid[reference]?.payment != nil
            {
                state.paid[reference]?.payment?.released = true
                state.paid[reference]?.payment?.day = day
            }
            return (first, !box.isEmpty)
        }
    }

    /// The payments due to the office (by treating provider) for claims answered on `day` and not reversed, in
    /// the order they were adjudicated, with each claim's office sequence number and reference.
    func payments(for office: String, on day: CalendarDate?) -> [(reference: String, sequence: String, due: PaymentDue)] {
        state.withLock { state in
            state.order.compactMap { reference in
                guard let claim = state.paid[reference], !claim.reversed, let due = claim.payment, due.released,
                    due.day == day, due.provider.cdaNumber?.trimmingSpaces == office
                else { return nil }
                return (reference, claim.officeSequenceNumber, due)
            }
        }
    }

    /// Whether answers are waiting for the office.
    func hasMail(for office: String) -> Bool {
        state.withLock { !($0.mailboxes[office] ?? []).isEmpty }
    }
}
