/// Which request types a response type answers, for matching a carrier's response to the office's request.
enum ResponseMatching {
    static let answers: [String: [String]] = [
        "claimAcknowledgement": ["claim", "cobClaim"],
        "explanationOfBenefits": ["claim", "cobClaim"],
        "predeterminationAcknowledgement": ["predetermination"],
        "predeterminationEOB": ["predetermination"],
        "claimReversalResponse": ["claimReversal"],
        "eligibilityResponse": ["eligibilityRequest"],
        "outstandingTransactionsAcknowledgement": ["outstandingTransactionsRequest"],
        "summaryReconciliation": ["summaryReconciliationRequest"],
        "paymentReconciliation": ["paymentReconciliationRequest"],
        "attachmentAcknowledgement": ["attachment"],
        "email": ["outstandingTransactionsRequest"],
    ]
}
