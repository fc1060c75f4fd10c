/// Checks a lab catalog: every problem with its `file:line` (`claimsbridge catalog check --lab NAME`).
///
/// Errors: a missing code, a code listed twice, a kind or material the model does not know, a price that is
/// not an amount with two decimals, a turnaround that is not a whole number of days, two codes for the same
/// kind and material (writing could not choose). Warning: a kind that the catalog offers in no material.
public enum LabCatalogCheck {
    /// Every problem of the catalog, in file order.
    public static func check(_ catalog: LabCatalog) -> [LintFinding] {
        var findings: [LintFinding] = []
        func error(_ line: Int, _ message: String, fix: String? = nil) {
            findings.append(LintFinding(.error, file: catalog.file, line: line, message, fix: fix))
        }
        var codes: [String: Int] = [:]
        var pairs: [String: Int] = [:]
        for entry in catalog.entries {
            if entry.code.isEmpty {
                error(
                    entry.line, "\(entry.kind) in \(entry.material) has no code",
                    fix: "give the lab's product code in the first column")
            } else if let first = codes[entry.code] {
                error(entry.line, "code \(entry.code) is listed twice (first on line \(first))")
            } else {
                codes[entry.code] = entry.line
            }
            if !entry.kind.isKnown {
                error(
                    entry.line, "unknown kind \"\(entry.kind)\"",
                    fix: "use one of \(RestorationKind.knownValues.map(\.rawValue).joined(separator: ", "))")
            }
            if !entry.material.isKnown {
                error(
                    entry.line, "unknown material \"\(entry.material)\"",
                    fix: "use one of \(LabMaterial.knownValues.map(\.rawValue).joined(separator: ", "))")
            }
            if !isPrice(entry.price) {
                error(entry.line, "the price must be an amount with two decimals, such as 189.00")
            }
            if entry.turnaroundDays.isEmpty || !entry.turnaroundDays.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
                || Int(entry.turnaroundDays) == 0
            {
                error(entry.line, "the turnaround must be a whole number of working days, 1 or more")
            }
            let pair = "\(entry.kind)/\(entry.material)"
            if let first = pairs[pair] {
                error(
                    entry.line,
                    "\(entry.kind) in \(entry.material) already has a code on line \(first); writing could not choose",
                    fix: "keep one code per kind and material")
            } else {
                pairs[pair] = entry.line
            }
        }
        return findings
    }

    private static func isPrice(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count == 2 else { return false }
        return parts.allSatisfy { $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
    }
}
