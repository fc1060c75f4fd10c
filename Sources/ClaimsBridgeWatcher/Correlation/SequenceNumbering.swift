import ClaimsBridge
import Foundation

/// Gives outgoing model messages the header numbers they lack, before they are written as CDAnet:
/// the office sequence number (A02, 6 digits, per office) and, in version 04, the carrier transaction counter
/// (A09, 5 digits, per office and carrier). Numbers come from the ledger, so they are never reused, across
/// restarts and routes; a file resumed after a crash gets the same numbers again.
struct SequenceNumbering {
    let ledger: Ledger
    let fileID: Int64

    /// Rewrites the JSON Lines file at `inputPath` into `outputPath` with missing numbers filled in.
    /// Returns how many numbers were allocated; when none were, `outputPath` is not written.
    func fill(inputPath: String, outputPath: String) throws -> Int {
        guard let data = FileManager.default.contents(atPath: inputPath) else {
            throw DurableFiles.failure("cannot read", inputPath)
        }
        let bytes = [UInt8](data)
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
        guard allocated > 0 else { return 0 }
        try DurableFiles.write(output, to: outputPath)
        return allocated
    }

    private func filled(
        _ line: [UInt8], lineNumber: Int, tape: inout JSONTape, allocated: inout Int
    ) throws -> [UInt8] {
        let identity = line.withUnsafeBytes { MessageIdentity.read($0, tape: &tape) }
        guard let identity, identity.isRequest else { return line }
        guard let routing = tape.member(tape.root, "routing"), tape.kind(routing) == .object else { return line }
        let office = identity.officeNumber.isEmpty ? identity.providerNumber : identity.officeNumber
        var edits: [(range: Range<Int>, text: String)] = []
        var insertions: [String] = []
        func plan(_ key: String, scope: String, limit: Int, width: Int) throws {
            let number: Int
            if let value = tape.member(routing, key) {
                guard tape.kind(value) == .string, tape.withStringBytes(value, { $0.isEmpty }) else { return }
                number = try ledger.allocation(fileID: fileID, line: lineNumber, field: key, scope: scope, limit: limit)
                let quote = tape.offset(value)
                edits.append((quote..<quote + 2, "\"\(Self.padded(number, width))\""))
            } else {
                number = try ledger.allocation(fileID: fileID, line: lineNumber, field: key, scope: scope, limit: limit)
                insertions.append("\"\(key)\":\"\(Self.padded(number, width))\"")
            }
            allocated += 1
        }
        // A reversal must repeat the sequence number of the claim it cancels, so none is made up for it.
        if identity.type != "claimReversal" {
            try plan("officeSequenceNumber", scope: "A02/\(office)", limit: 999_999, width: 6)
        }
        if identity.version != "02" {
            try plan("carrierTransactionCounter", scope: "A09/\(office)/\(identity.carrierId)", limit: 99_999, width: 5)
        }
        guard !edits.isEmpty || !insertions.isEmpty else { return line }
        var result = line
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            result.replaceSubrange(edit.range, with: Array(edit.text.utf8))
        }
        if !insertions.isEmpty {
            let brace = tape.offset(routing)
            let separator = tape.count(routing) > 0 ? "," : ""
            // Edits lie after the routing brace, so its offset is unchanged.
            result.insert(contentsOf: Array((insertions.joined(separator: ",") + separator).utf8), at: brace + 1)
        }
        return result
    }

    static func padded(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
