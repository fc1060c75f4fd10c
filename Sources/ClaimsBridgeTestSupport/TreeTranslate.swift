public import ClaimsBridge
import Foundation

/// Runs the tree pipelines (XML, partner JSON) in memory.
public enum TreeTranslate {
    /// A bundled mapping under `Mappings/`, loaded once per call.
    public static func mapping(_ relative: String) throws -> TreeMapping {
        try TreeMapping.load(path: Fixtures.mappings.appendingPathComponent(relative).path)
    }

    /// Partner document → model JSON Lines.
    public static func read(
        _ input: [UInt8], mapping: TreeMapping, chunkSize: Int = .max, limits: XMLLimits = XMLLimits(),
        failFast: Bool = false, workerThreads: Int? = nil, treeBuilding: TreeReadPipeline.TreeBuilding = .balanced
    ) throws -> TranslationRun {
        var source = MemoryInput(input, chunkSize: chunkSize)
        var sink = MemoryOutput()
        var rejects: [RejectedMessage] = []
        var pipeline = try TreeReadPipeline(mapping: mapping, failFast: failFast, limits: limits)
        pipeline.workerThreads = workerThreads
        pipeline.treeBuilding = treeBuilding
        let summary = try pipeline.run(input: &source, output: &sink) { rejects.append($0) }
        return TranslationRun(output: sink.bytes, rejects: rejects, summary: summary)
    }

    /// Model JSON Lines → partner document.
    public static func write(
        _ input: [UInt8], mapping: TreeMapping, parameters: [String: String] = [:], indent: Int? = 2,
        failFast: Bool = false, workerThreads: Int? = nil
    ) throws -> TranslationRun {
        var source = MemoryInput(input)
        var sink = MemoryOutput()
        var rejects: [RejectedMessage] = []
        var pipeline = try TreeWritePipeline(
            mapping: mapping, parameters: parameters, failFast: failFast, indent: indent)
        pipeline.workerThreads = workerThreads
        let summary = try pipeline.run(input: &source, output: &sink) { rejects.append($0) }
        return TranslationRun(output: sink.bytes, rejects: rejects, summary: summary)
    }
}
