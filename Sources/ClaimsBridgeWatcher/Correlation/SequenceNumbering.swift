import ClaimsBridge
import Foundation

/// Gives outgoing model messages the header numbers they lack, before they are written as CDAnet. Which numbers a
/// request gets, and what each counts per, come from its layout's `sequence:` (for version 04 claims: the office
/// sequence number A02 per office and the carrier transaction counter A09 per office and carrier; a reversal,
/// which repeats its claim's A02, only A09). Numbers come from the ledger, so they are never reused, across
/// restarts and routes; a file resumed after a crash gets the same numbers again.
struct SequenceNumbering {
    let ledger: any SequenceAllocating
    let fileID: Int64
    let rules: TransactionRules

    /// Rewrites the JSON Lines file at `inputPath` into `outputPath` with missing numbers filled in.
    /// Returns how many numbers were allocated; when none were, `outputPath` is not written.
    func fill(inputPath: String, outputPath: String) throws -> Int {
        guard let data = FileManager.default.contents(atPath: inputPath) else {
            throw DurableFiles.failure("cannot read", inputPath)
        }
        let (output, allocated) = try fill([UInt8](data))
        guard allocated > 0 else { return 0 }
        try DurableFiles.write(output, to: outputPath)
        return allocated
    }

    /// The JSON Lines `bytes` with missing numbers filled in, and how many were allocated.
    func fill(_ bytes: [UInt8]) throws -> (output: [UInt8], allocated: Int) {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        var tape = JSONTape()
        var allocated = 0
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            lineNumber += 1
            let line = Array(bytes[start..<end])
            output += try filled(line, lineNumber: lineNumber, tape: &tape, allocated: &allocated)
            if end < bytes.count { output.append(0x0A) }
            start = end + 1
        }
        return (output, allocated)
    }

    private func filled(
        _ line: [UInt8], lineNumber: Int, tape: inout JSONTape, allocated: inout Int
    ) throws -> [UInt8] {
        let identity = line.withUnsafeBytes { MessageIdentity.read($0, tape: &tape, rules: rules) }
        guard let identity, identity.isRequest else { return line }
        let wanted = rules.allocations(type: identity.type, version: identity.version)
        // Every allocated field lives in one object (`routing`), edited in place.
        guard let container = wanted.first?.container, wanted.allSatisfy({ $0.container == container }),
            let object = tape.member(tape.root, container), tape.kind(object) == .object
        else { return line }
        let office = identity.officeNumber.isEmpty ? identity.providerNumber : identity.officeNumber
        var edits: [(range: Range<Int>, text: String)] = []
        var insertions: [String] = []
        for allocation in wanted {
            let scope: String
            switch allocation.scope {
            case .perOffice: scope = "\(allocation.fieldID)/\(office)"
            case .perOfficeAndCarrier: scope = "\(allocation.fieldID)/\(office)/\(identity.carrierId)"
            }
            let value = tape.member(object, allocation.key)
            if let value {
                guard tape.kind(value) == .string, tape.withStringBytes(value, { $0.isEmpty }) else { continue }
            }
            let number = try ledger.allocation(
                fileID: fileID, line: lineNumber, field: allocation.key, scope: scope, limit: allocation.limit)
            let text = "\"\(Self.padded(number, allocation.width))\""
            if let value {
                let quote = tape.offset(value)
                edits.append((quote..<quote + 2, text))
            } else {
                insertions.append("\"\(allocation.key)\":" + text)
            }
            allocated += 1
        }
        guard !edits.isEmpty || !insertions.isEmpty else { return line }
        var result = line
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            result.replaceSubrange(edit.range, with: Array(edit.text.utf8))
        }
        if !insertions.isEmpty {
            let brace = tape.offset(object)
            let separator = tape.count(object) > 0 ? "," : ""
            // Edits lie after the object's brace, so its offset is unchanged.
            result.insert(contentsOf: Array((insertions.joined(separator: ",") + separator).utf8), at: brace + 1)
        }
        return result
    }

    static func padded(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
