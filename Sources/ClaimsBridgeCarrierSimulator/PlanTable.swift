public import ClaimsBridge

/// The simulated carrier's plans: who is covered, at what percentage per procedure class, with which deductible and
/// annual maximum, and how the carrier behaves. Loaded from a `plans.yaml` (see Docs/carrier-simulator.md).
public struct PlanTable: Sendable, Hashable, Codable {
    /// The carrier's CDA number [A05]; requests to another carrier are rejected with error 005. Requests addressed
    /// to the network (`999999`) are answered too.
    public var carrierId: String
    /// How the carrier behaves when neither the plan nor the request says otherwise.
    public var behaviour: SimulatedBehaviour?
    /// Seconds a `slow` answer waits (default 5).
    public var delaySeconds: Double?
    /// The plans, by policy number.
    public var plans: [Plan]
    /// Payment lines per page of a payment reconciliation (16); default 5. A day with more lines than nine pages
    /// hold puts more on each page (F38 and G62 are one digit).
    public var reconciliationPageSize: Int?

    /// A plan table.
    public init(
        carrierId: String, behaviour: SimulatedBehaviour? = nil, delaySeconds: Double? = nil, plans: [Plan],
        reconciliationPageSize: Int? = nil
    ) {
        self.carrierId = carrierId
        self.behaviour = behaviour
        self.delaySeconds = delaySeconds
        self.plans = plans
        self.reconciliationPageSize = reconciliationPageSize
    }

    /// The plan with policy (group) number `policy` [C01], compared without surrounding spaces.
    public func plan(policy: String?) -> Plan? {
        guard let policy = policy?.trimmingSpaces, !policy.isEmpty else { return nil }
        return plans.first { $0.policy == policy }
    }
}

/// One plan of the table.
public struct Plan: Sendable, Hashable, Codable {
    /// The policy (group) number the office sends [C01].
    public var policy: String
    /// A name for people reading the table.
    public var name: String?
    /// The certificate numbers covered [C02]; absent covers every certificate.
    public var members: [String]?
    /// The yearly deductible per member.
    public var deductible: Money
    /// The most the plan pays per member in a year.
    public var annualMaximum: Money
    /// Percentage covered by procedure code prefix; the longest matching prefix wins, and a code no prefix
    /// matches is not covered (0 %). `{"0": 100, "2": 80, "27": 50}`.
    public var coverage: [String: Int]
    /// How claims are answered: with an explanation of benefits (21/23, the default), an acknowledgement
    /// (11/13), or pended (an 11 "held, reply later" now, the explanation of benefits kept for the mailbox).
    public var reply: ReplyKind?
    /// How the carrier behaves for this plan; overrides the table's.
    public var behaviour: SimulatedBehaviour?
    /// Seconds a `slow` answer waits for this plan.
    public var delaySeconds: Double?

    /// A plan.
    public init(
        policy: String, name: String? = nil, members: [String]? = nil, deductible: Money, annualMaximum: Money,
        coverage: [String: Int], reply: ReplyKind? = nil, behaviour: SimulatedBehaviour? = nil,
        delaySeconds: Double? = nil
    ) {
        self.policy = policy
        self.name = name
        self.members = members
        self.deductible = deductible
        self.annualMaximum = annualMaximum
        self.coverage = coverage
        self.reply = reply
        self.behaviour = behaviour
        self.delaySeconds = delaySeconds
    }

    /// Whether the certificate number `certificate` [C02] is covered.
    public func covers(certificate: String?) -> Bool {
        guard let members else { return true }
        guard let certificate = certificate?.trimmingSpaces else { return false }
        return members.contains(certificate)
    }

    /// The percentage covered for procedure code `code`: the longest matching prefix's, else 0.
    public func percentage(for code: String?) -> Int {
        let code = code?.trimmingSpaces ?? ""
        var best: (length: Int, percentage: Int) = (-1, 0)
        for (prefix, percentage) in coverage where code.hasPrefix(prefix) && prefix.count > best.length {
            best = (prefix.count, percentage)
        }
        return max(0, min(100, best.percentage))
    }
}

/// How a plan answers claims and predeterminations.
public enum ReplyKind: String, Sendable, Hashable, Codable {
    /// An explanation of benefits (21, or 23 for a predetermination).
    case eob
    /// An acknowledgement (11, or 13): accepted, to be paid later.
    case acknowledgement
    /// An 11 (or 13) "held, reply later" now; the explanation of benefits waits in the mailbox for a 04.
    case pend
}

/// How the simulated carrier behaves for a request.
public enum SimulatedBehaviour: String, Sendable, Hashable, Codable, CaseIterable {
    /// Answers at once.
    case normal
    /// Answers after a delay.
    case slow
    /// Answers HTTP 503 with no CDAnet reply.
    case fail
    /// Closes the connection in the middle of the reply.
    case drop
    /// Answers HTTP 200 with bytes that are not a CDAnet message.
    case garbage
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
