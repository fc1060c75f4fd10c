import ClaimsBridge

/// What correlation and numbering need to know about each model type, derived from the CDAnet layouts and
/// mappings rather than written here: a layout's `direction:` says whether its type is a request, `answers:`
/// which requests a response answers, `unsolicited:` whether it may come with none, and `sequence:` which header
/// numbers a request's sender allocates; the mapping says where in the model each of those fields lives.
struct TransactionRules: Sendable {
    /// How a model type takes part in exchanges (the same in every version).
    struct Role: Sendable, Equatable {
        var isRequest: Bool
        /// For a response: the request types it answers.
        var answers: [String]
        /// For a response: whether it may arrive without a request.
        var mayBeUnsolicited: Bool
    }

    /// A number to allocate for a request, and where it goes in the model: `<container>.<key>` (e.g.
    /// `routing.officeSequenceNumber`).
    struct Allocation: Sendable, Equatable {
        var fieldID: String
        var scope: SequenceAllocation.Scope
        var width: Int
        var container: String
        var key: String
        /// The largest number the field holds.
        var limit: Int { (1..<width).reduce(9) { value, _ in value * 10 + 9 } }
    }

    private(set) var roles: [String: Role] = [:]
    /// Allocations by model type, then by version.
    private(set) var allocations: [String: [String: [Allocation]]] = [:]

    /// No CDAnet: every type is an unknown response.
    init() {}

    /// - Throws: `BridgeError` at a layout whose `answers:` names a transaction that is not a request of its
    ///   version, or whose sequence field's model path is not `<object>.<key>` at the root.
    init(catalog: CDAnetCatalog?) throws {
        guard let catalog else { return }
        for mapping in catalog.mappings {
            let layout = mapping.layout
            var role = roles[mapping.type] ?? Role(isRequest: layout.isRequest, answers: [], mayBeUnsolicited: false)
            role.isRequest = role.isRequest || layout.isRequest
            role.mayBeUnsolicited = role.mayBeUnsolicited || layout.correlation.mayBeUnsolicited
            for code in layout.correlation.answers {
                guard let request = catalog.mapping(version: Int(layout.version) ?? -1, transaction: Int(code) ?? -1),
                    request.layout.isRequest
                else {
                    throw BridgeError(
                        .invalidConfiguration,
                        "`answers` names transaction \(code), which is not a request of version \(layout.version)",
                        at: .init(file: layout.file))
                }
                if !role.answers.contains(request.type) { role.answers.append(request.type) }
            }
            roles[mapping.type] = role
            allocations[mapping.type, default: [:]][layout.version] = try layout.correlation.sequences.map { sequence in
                try Self.allocation(sequence, in: mapping)
            }
        }
    }

    /// The role of `type`; an unknown type is a response that answers nothing.
    func role(of type: String) -> Role {
        roles[type] ?? Role(isRequest: false, answers: [], mayBeUnsolicited: false)
    }

    /// The numbers to allocate for a message of `type` in `version`; a version not mapped for the type (or none
    /// given) takes the highest one that is.
    func allocations(type: String, version: String) -> [Allocation] {
        guard let byVersion = allocations[type] else { return [] }
        if let exact = byVersion[version] { return exact }
        return byVersion.max { $0.key < $1.key }?.value ?? []
    }

    private static func allocation(_ sequence: SequenceAllocation, in mapping: Mapping) throws -> Allocation {
        let layout = mapping.layout
        let keys = layout.fieldIndex(id: sequence.fieldID, group: nil).flatMap { field in
            mapping.rules.first { rule in
                guard case .root = rule.scope else { return false }
                return rule.field == field && rule.constant == nil
            }?.path?.keys
        }
        guard let keys, keys.count == 2 else {
            throw BridgeError(
                .invalidConfiguration,
                "\(mapping.file) must map \(sequence.fieldID) to a path `<object>.<key>` for `sequence:` in \(layout.file)",
                at: .init(file: mapping.file))
        }
        return Allocation(
            fieldID: sequence.fieldID, scope: sequence.scope, width: sequence.width,
            container: String(decoding: keys[0], as: UTF8.self), key: String(decoding: keys[1], as: UTF8.self))
    }
}
