public import ClaimsBridge

/// Stops the fuzzer unless a run's accounting holds: the counts add up, every reject holds exactly the input
/// bytes at its offset, rejects never overlap, and no message is unbounded or quotes raw bytes.
public func checkAccounting(_ input: [UInt8], _ summary: TranslationSummary, _ rejects: [RejectedMessage]) {
    precondition(summary.messages == summary.translated + summary.rejected, "counts do not add up")
    var kept: [Range<Int>] = []
    for reject in rejects {
        let range = reject.messageOffset..<(reject.messageOffset + reject.original.count)
        precondition(range.upperBound <= input.count && Array(input[range]) == reject.original, "reject bytes differ")
        precondition(!kept.contains { $0.overlaps(range) }, "rejects overlap")
        kept.append(range)
        precondition(reject.error.reason.count <= 700, "unbounded message")
        precondition(!reject.error.reason.contains("Bytes: 0x"), "a message quotes input bytes")
    }
}

/// The repository's `Mappings/` folder (the fuzz package sits in `Fuzz/` at the repository root).
public let mappingsFolder: String = {
    var path = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    path.removeLast(4)
    return path.joined(separator: "/") + "/Mappings"
}()
