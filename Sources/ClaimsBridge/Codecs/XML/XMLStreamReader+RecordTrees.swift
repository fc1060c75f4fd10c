/// Trees of records that the reading thread passed over (``XMLStreamReader/nextRecordOrBytes()``), built from
/// their original bytes on whichever thread needs them.
extension XMLStreamReader {
    /// Each record's tree, in order, built from its original bytes placed inside the document's head (its prolog
    /// and root start tag, so that its encoding and namespace declarations apply) and the root's end tag. Line
    /// numbers are those of the input: each record's lines are counted from its own first line.
    /// - Parameters:
    ///   - head: the document's bytes up to and including the root's start tag.
    ///   - rootName: the root element's name as written, to close it.
    static func trees(
        of records: [XMLRecordScanner.Record], head: [UInt8], rootName: String, limits: XMLLimits
    ) -> [Result<TreeNode, BridgeError>] {
        guard !records.isEmpty else { return [] }
        var document = head
        document.reserveCapacity(head.count + records.reduce(rootName.utf8.count + 3) { $0 + $1.bytes.count })
        var firstLines: [Int] = []
        firstLines.reserveCapacity(records.count)
        var line = 1 + newlines(in: head)
        for record in records {
            firstLines.append(line)
            document += record.bytes
            line += newlines(in: record.bytes)
        }
        document += Array("</\(rootName)>".utf8)
        if let trees = try? trees(in: document, count: records.count, limits: limits) {
            return zip(zip(trees, records), firstLines).map { pair, firstLine in
                var tree = pair.0
                tree.shiftLines(by: pair.1.line - firstLine)
                return .success(tree)
            }
        }
        // A record that cannot be read among the others (it read in the input, so this is not expected): each
        // record on its own, so that only the one that fails is refused.
        return records.map { record in
            Result { () throws(BridgeError) -> TreeNode in
                let alone = head + record.bytes + Array("</\(rootName)>".utf8)
                guard let tree = try trees(in: alone, count: 1, limits: limits).first else {
                    throw BridgeError(.invalidXML, "the record is not one element")
                }
                var shifted = tree
                shifted.shiftLines(by: record.line - (1 + newlines(in: head)))
                return shifted
            }
        }
    }

    /// The root's `count` children in `document`, which must hold exactly that many.
    private static func trees(in document: [UInt8], count: Int, limits: XMLLimits) throws(BridgeError) -> [TreeNode] {
        let reader = XMLStreamReader(input: MemoryInput(document), name: "records", limits: limits, locatingRecords: false)
        _ = try reader.readRoot()
        var trees: [TreeNode] = []
        trees.reserveCapacity(count)
        while let tree = try reader.nextRecord() { trees.append(tree) }
        guard trees.count == count else {
            throw BridgeError(.invalidXML, "the records do not read as \(count) elements")
        }
        return trees
    }

    private static func newlines(in bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var count = 0
            for byte in buffer where byte == 0x0A { count += 1 }
            return count
        }
    }
}
