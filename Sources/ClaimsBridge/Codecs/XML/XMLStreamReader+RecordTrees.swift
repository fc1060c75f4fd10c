/// Trees of records that the reading thread passed over (``XMLStreamReader/nextRecordOrBytes()``) and that
/// ``XMLRecordTreeBuilder`` leaves to libxml2.
extension XMLStreamReader {
    /// Each record's tree, in order, as libxml2 reads the record on its own inside the document's head (its prolog
    /// and root start tag, so that its encoding and namespace declarations apply). Line numbers are those of the
    /// input: each record's lines are counted from its own first line.
    /// - Parameters:
    ///   - head: the document's bytes up to and including the root's start tag.
    ///   - rootName: the root element's name as written, to close it.
    static func trees(
        of records: [XMLRecordScanner.Record], head: [UInt8], rootName: String, limits: XMLLimits
    ) -> [Result<TreeNode, BridgeError>] {
        let headLines = head.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        return records.map { record in
            Result { () throws(BridgeError) -> TreeNode in
                var tree = try readAlone(record.bytes, head: head, rootName: rootName, limits: limits)
                tree.shiftLines(by: record.line - (1 + headLines))
                return tree
            }
        }
    }
}
