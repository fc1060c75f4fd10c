import Foundation

/// The invariants the CDAnet fuzz targets (`Fuzz/Sources/cdanet-*`) check, as functions that unit tests
/// also replay on the saved crashers in `Fuzz/Regressions/`. Each returns a description of the first broken
/// invariant (positions and counts only, never input bytes), or nil.
public enum CDAnetFuzzChecks {
    /// The catalog the fuzz targets use: `$CLAIMSBRIDGE_MAPPINGS/cdanet`, else `Mappings/cdanet`.
    public static func catalog() -> CDAnetCatalog {
        let mappings = ProcessInfo.processInfo.environment["CLAIMSBRIDGE_MAPPINGS"] ?? "Mappings"
        do { return try CDAnetCatalog(directory: mappings + "/cdanet") } catch { fatalError("\(error)") }
    }

    /// Framing: every input byte is in exactly one frame (a message read or a reject), however the input is
    /// chunked; no reject is larger than a message or a reject piece; memory stays bounded.
    public static func framing(_ input: [UInt8], catalog: CDAnetCatalog) -> String? {
        let chunkSize = 1 + Int(input.first ?? 0) * 17
        let result = CDAnetBatchAudit(catalog: catalog).audit([.init(bytes: input, isControl: false)], chunkSize: chunkSize)
        let framer = CDAnetFramer(catalog: catalog)
        if result.unaccountedBytes != 0 {
            return "\(result.unaccountedBytes) bytes are in no frame or in two (chunk size \(chunkSize))"
        }
        if result.largestReject > max(framer.maximumRejectLength, framer.maximumMessageLength) + CDAnetFramer.slack {
            return "a reject of \(result.largestReject) bytes is larger than allowed"
        }
        if result.largestBuffer > input.count + chunkSize {
            return "the framer held \(result.largestBuffer) bytes for a \(input.count)-byte input"
        }
        return nil
    }

    /// Read → write: every message read back to JSON writes back to exactly its original bytes, or the writer
    /// refuses it.
    public static func roundTrip(_ input: [UInt8], catalog: CDAnetCatalog) -> String? {
        var source = MemoryInput(input)
        var json = MemoryOutput()
        var rejected = Set<Int>()
        var pipeline = CDAnetReadPipeline(catalog: catalog)
        pipeline.maximumUnreadableBytes = nil
        guard (try? pipeline.run(input: &source, output: &json, onReject: { rejected.insert($0.messageOffset) })) != nil
        else { return "reading failed" }
        var messages: [Range<Int>] = []
        var framer = CDAnetFramer(catalog: catalog)
        input.withUnsafeBytes { framer.append($0) }
        while let frame = framer.next(isFinal: true) {
            if case .message(let offset, let length) = frame, !rejected.contains(offset) {
                messages.append(offset..<(offset + length))
            }
        }
        let lines = json.bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
        guard lines.count == messages.count else {
            return "\(messages.count) messages were read but \(lines.count) JSON lines written"
        }
        let writer = ModelWritePipeline(catalog: catalog)
        for (line, range) in zip(lines, messages) {
            var lineInput = MemoryInput(Array(line) + [0x0A])
            var written = MemoryOutput()
            var refused = false
            guard (try? writer.run(input: &lineInput, output: &written, onReject: { _ in refused = true })) != nil else {
                return "writing the message at byte \(range.lowerBound) failed"
            }
            if !refused && written.bytes[...] != input[range] {
                return "the message at byte \(range.lowerBound) (\(range.count) bytes) writes back as \(written.bytes.count) different bytes"
            }
        }
        return nil
    }
}
