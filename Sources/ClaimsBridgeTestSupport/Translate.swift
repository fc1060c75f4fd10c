public import ClaimsBridge

/// The result of running a pipeline over bytes in memory.
public struct TranslationRun {
    public var output: [UInt8]
    public var rejects: [RejectedMessage]
    public var summary: TranslationSummary
}

/// Runs translations in memory, optionally feeding the input in small chunks to exercise boundaries.
public enum Translate {
    /// CDAnet bytes → JSON Lines (or a field listing).
    public static func cdanet(
        _ input: [UInt8], format: CDAnetOutputFormat = .json, chunkSize: Int = .max, readSize: Int = 64 * 1024,
        failFast: Bool = false, catalog: CDAnetCatalog = Fixtures.catalog
    ) throws -> TranslationRun {
        var source = MemoryInput(input, chunkSize: chunkSize)
        var sink = MemoryOutput()
        var rejects: [RejectedMessage] = []
        let summary = try CDAnetReadPipeline(catalog: catalog, format: format, failFast: failFast, chunkSize: readSize)
            .run(input: &source, output: &sink) { rejects.append($0) }
        return TranslationRun(output: sink.bytes, rejects: rejects, summary: summary)
    }

    /// JSON Lines → CDAnet bytes.
    public static func json(
        _ input: [UInt8], chunkSize: Int = .max, readSize: Int = 64 * 1024, failFast: Bool = false,
        catalog: CDAnetCatalog = Fixtures.catalog
    ) throws -> TranslationRun {
        var source = MemoryInput(input, chunkSize: chunkSize)
        var sink = MemoryOutput()
        var rejects: [RejectedMessage] = []
        let summary = try ModelWritePipeline(catalog: catalog, failFast: failFast, chunkSize: readSize)
            .run(input: &source, output: &sink) { rejects.append($0) }
        return TranslationRun(output: sink.bytes, rejects: rejects, summary: summary)
    }
}
