public import ClaimsBridge

/// Runs an already configured tree pipeline (such as a lab's, from `LabPartner`) over bytes in memory.
public enum PipelineRun {
    /// Partner document → model JSON Lines, the input fed in chunks of `chunkSize` bytes.
    public static func read(_ pipeline: TreeReadPipeline, _ input: [UInt8], chunkSize: Int = .max) throws
        -> TranslationRun
    {
        var source = MemoryInput(input, chunkSize: chunkSize)
        var sink = MemoryOutput()
        var rejects: [RejectedMessage] = []
        let summary = try pipeline.run(input: &source, output: &sink) { rejects.append($0) }
        return TranslationRun(output: sink.bytes, rejects: rejects, summary: summary)
    }

    /// Model JSON Lines → partner document.
    public static func write(_ pipeline: TreeWritePipeline, _ input: [UInt8]) throws -> TranslationRun {
        var source = MemoryInput(input)
        var sink = MemoryOutput()
        var rejects: [RejectedMessage] = []
        let summary = try pipeline.run(input: &source, output: &sink) { rejects.append($0) }
        return TranslationRun(output: sink.bytes, rejects: rejects, summary: summary)
    }
}
