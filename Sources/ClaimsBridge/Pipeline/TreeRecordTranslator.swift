/// The records of one group as translated by a worker: each one's model object as JSON (a range of `json`), or
/// why it was refused.
struct TranslatedRecords: Sendable {
    var json: [UInt8] = []
    var results: [RecordOutcome] = []
    /// The records sent, handed back so that the thread that made them frees them: a thread freeing another's
    /// many small blocks keeps taking the allocator's lock from it. (Trees a worker built from a record's bytes
    /// are freed by that worker.)
    var records: [(RecordRead, BridgeError?)] = []
}

/// A record read and waiting to be translated: its tree, or — when the reading thread passed over it — its
/// original bytes, from which the worker that translates it builds the tree.
enum RecordRead: Sendable {
    case tree(TreeNode)
    case bytes(XMLRecordScanner.Record)

    var tree: TreeNode? { if case .tree(let tree) = self { tree } else { nil } }
    var bytes: XMLRecordScanner.Record? { if case .bytes(let record) = self { record } else { nil } }
}

/// What building a passed-over record's tree needs: the document's head and root, and the limits.
struct PassedRecords: Sendable {
    let head: [UInt8]
    let rootName: String
    let limits: XMLLimits
    let builder: XMLRecordTreeBuilder

    /// Nil when the head's root start tag cannot be read for its namespaces.
    init?(head: [UInt8], rootName: String, limits: XMLLimits) {
        guard let builder = XMLRecordTreeBuilder(head: head) else { return nil }
        self.head = head
        self.rootName = rootName
        self.limits = limits
        self.builder = builder
    }

    /// Each record's tree, in order: built from its bytes, or by libxml2 for a record the builder leaves to it.
    func trees(of records: [XMLRecordScanner.Record]) -> [Result<TreeNode, BridgeError>] {
        var trees: [Result<TreeNode, BridgeError>] = []
        trees.reserveCapacity(records.count)
        var leftOver: [Int] = []
        for (position, record) in records.enumerated() {
            if let tree = builder.tree(of: record) {
                trees.append(.success(tree))
            } else {
                trees.append(.failure(BridgeError(.invalidXML, "the record's tree could not be built")))
                leftOver.append(position)
            }
        }
        guard !leftOver.isEmpty else { return trees }
        let built = XMLStreamReader.trees(of: leftOver.map { records[$0] }, head: head, rootName: rootName, limits: limits)
        for (position, tree) in zip(leftOver, built) { trees[position] = tree }
        return trees
    }
}

/// A group of records sent to a worker, each with the schema's verdict on it.
struct RecordGroup: Sendable {
    var records: [(RecordRead, BridgeError?)]
    /// How the trees of records passed over are built; nil when every record has its tree.
    var passed: PassedRecords?
}

/// Translates records read, on whichever thread runs it: the receiver's rules, then the schema's verdict, then
/// the mapping (and the model check).
struct TreeRecordTranslator: Sendable {
    let mapping: TreeMapping
    /// How the mapping reads a record, laid out once for the run.
    let readPlan: TreeReadPlan
    let carrierRules: CarrierRuleMode
    let showPersonalData: Bool
    let fixedToday: Int?
    /// Set only on pipelines that translate on the caller's thread.
    let modelCheck: ThreadOwned<((TreeValue) throws(BridgeError) -> TreeValue)?>

    /// Translates a group of records, each with the schema's verdict on it; the trees of records passed over
    /// are built first, and one that cannot be built is refused.
    func translate(_ job: RecordGroup, context: CarrierRuleContext) -> TranslatedRecords {
        var group = TranslatedRecords()
        // Written into a buffer with plain stores, then handed over as one array.
        var json = OutputBuffer(capacity: job.records.count * 640)
        let passed = job.records.compactMap(\.0.bytes)
        var built = (passed.isEmpty ? [] : job.passed?.trees(of: passed) ?? []).makeIterator()
        for (record, verdict) in job.records {
            var warning: BridgeError?
            do throws(BridgeError) {
                let tree: TreeNode
                switch record {
                case .tree(let read): tree = read
                case .bytes(let found):
                    guard let result = built.next() else {
                        throw BridgeError(.invalidXML, "the record's tree could not be built", at: .init(line: found.line))
                    }
                    switch result {
                    case .success(let read): tree = read
                    case .failure(let error): throw error.located(.init(line: found.line))
                    }
                }
                let model = try translate(tree, verdict: verdict, context: context, warning: &warning)
                let start = json.count
                model.appendJSON(to: &json)
                group.results.append(.written(start..<json.count, warning: warning))
            } catch {
                group.results.append(.rejected(error))
            }
        }
        group.records = job.records
        group.json = Array(json.bytes)
        return group
    }

    /// Applies the receiver's rules, then the schema's verdict, then reads the record.
    func translate(
        _ node: TreeNode, verdict: BridgeError?, context: CarrierRuleContext, warning: inout BridgeError?
    ) throws(BridgeError) -> TreeValue {
        if mapping.carrierRules != nil {
            warning = try mapping.applyCarrierRules(to: node, context: context, mode: carrierRules)
        }
        if let verdict { throw verdict }
        let model = try mapping.readRecord(node, plan: readPlan)
        guard let modelCheck = modelCheck.value else { return model }
        do { return try modelCheck(model) } catch {
            throw error.located(.init(line: node.line > 0 ? node.line : nil))
        }
    }
}
