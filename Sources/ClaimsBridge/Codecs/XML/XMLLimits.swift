/// Safety limits for reading partner XML. A document that goes past one is rejected with a clear error
/// before it can use much memory or time.
public struct XMLLimits: Sendable {
    /// Deepest element nesting, the root being level 1.
    public var maximumDepth: Int
    /// Most attributes on one element.
    public var maximumAttributes: Int
    /// Longest text content of one element, in bytes.
    public var maximumTextBytes: Int
    /// Most elements in one record (for example one `DP` claim with its lines).
    public var maximumElementsPerRecord: Int
    /// Most elements in a document that is one record as a whole (a batch response), held in memory at once.
    public var maximumElementsPerDocument: Int

    /// Limits suited to claim batches: depth 32, 64 attributes, 1 MiB of text, 10,000 elements per record,
    /// 1,000,000 elements in a one-record document.
    public init(
        maximumDepth: Int = 32, maximumAttributes: Int = 64, maximumTextBytes: Int = 1 << 20,
        maximumElementsPerRecord: Int = 10_000, maximumElementsPerDocument: Int = 1_000_000
    ) {
        self.maximumDepth = maximumDepth
        self.maximumAttributes = maximumAttributes
        self.maximumTextBytes = maximumTextBytes
        self.maximumElementsPerRecord = maximumElementsPerRecord
        self.maximumElementsPerDocument = maximumElementsPerDocument
    }
}
