/// A translation ClaimsBridge can run, named by its two formats the way `translate --from … --to …` and a
/// watcher route's `from:` and `to:` write them.
public struct Translation: Sendable, Hashable, CustomStringConvertible {
    /// Which engine runs it.
    public enum Kind: Sendable, Hashable {
        case cdanetToJSON
        case cdanetToFields
        case jsonToCDAnet
        /// Through a tree mapping (RAMQ, XML, partner JSON). `bundledMapping` is relative to the mappings folder;
        /// nil when the mapping file must be named.
        case tree(bundledMapping: String?, writes: Bool)
        /// `labOrder` JSON Lines to the lab's order documents.
        case ordersToLab(lab: String)
        /// The lab's order documents to `labOrder` JSON Lines.
        case ordersFromLab(lab: String)
        /// The lab's status messages to transitions of the known orders.
        case labStatus(lab: String)
    }

    public let from: String
    public let to: String
    public let kind: Kind
    /// The file-name extension of the output; nil for lab order documents, whose lab's mapping decides.
    public let outputExtension: String?

    public var description: String { "\(from) → \(to)" }

    /// Whether a tree mapping file must be named (`--mapping`, a route's `mapping:`).
    public var needsMappingFile: Bool {
        if case .tree(nil, _) = kind { return true }
        return false
    }

    /// Whether the known lab orders must be given (`--orders`, a route's `orders:`).
    public var needsOrders: Bool {
        if case .labStatus = kind { return true }
        return false
    }

    /// Whether it reads or writes through a tree mapping (XML, partner JSON, a lab), so that a reject names a
    /// record rather than a CDAnet message.
    public var isTree: Bool {
        switch kind {
        case .cdanetToJSON, .cdanetToFields, .jsonToCDAnet: false
        default: true
        }
    }
}

/// Every translation ClaimsBridge knows: the one list both the command line and the watcher's routes use.
public enum TranslationRegistry {
    /// The translations between fixed formats.
    public static let fixed: [Translation] = [
        Translation(from: "cdanet", to: "json", kind: .cdanetToJSON, outputExtension: "jsonl"),
        Translation(from: "cdanet", to: "fields", kind: .cdanetToFields, outputExtension: "txt"),
        Translation(from: "json", to: "cdanet", kind: .jsonToCDAnet, outputExtension: "txt"),
        tree("json", "ramq", "ramq/claim.mapping.yaml", "xml"),
        tree("ramq", "json", "ramq/claim.mapping.yaml", "jsonl"),
        tree("json", "ramq-response", "ramq/response.mapping.yaml", "xml"),
        tree("ramq-response", "json", "ramq/response.mapping.yaml", "jsonl"),
        tree("json", "xml", nil, "xml"), tree("xml", "json", nil, "jsonl"),
        tree("json", "partner-json", nil, "json"), tree("partner-json", "json", nil, "jsonl"),
    ]

    /// The lab translations, with NAME standing for a lab's folder under `Mappings/labs/`.
    public static let labPatterns = ["lab-order → lab:NAME", "lab:NAME → lab-order", "lab:NAME-status → json"]

    /// The translation from `from` to `to`, or nil when there is none. `lab:NAME` and `lab:NAME-status` name a
    /// lab's order documents and status messages.
    public static func find(from: String, to: String) -> Translation? {
        if let found = fixed.first(where: { $0.from == from && $0.to == to }) { return found }
        if from == "lab-order", let lab = labName(to), !lab.hasSuffix("-status") {
            return Translation(from: from, to: to, kind: .ordersToLab(lab: lab), outputExtension: nil)
        }
        if to == "lab-order", let lab = labName(from), !lab.hasSuffix("-status") {
            return Translation(from: from, to: to, kind: .ordersFromLab(lab: lab), outputExtension: "jsonl")
        }
        if to == "json", let name = labName(from), name.hasSuffix("-status"), name.count > 7 {
            return Translation(
                from: from, to: to, kind: .labStatus(lab: String(name.dropLast(7))), outputExtension: "jsonl")
        }
        return nil
    }

    /// Every translation, for messages: "cdanet → json, json → cdanet, …".
    public static var choices: String { (fixed.map(\.description) + labPatterns).joined(separator: ", ") }

    private static func tree(_ from: String, _ to: String, _ bundled: String?, _ extension: String) -> Translation {
        Translation(
            from: from, to: to, kind: .tree(bundledMapping: bundled, writes: from == "json"),
            outputExtension: `extension`)
    }

    private static func labName(_ format: String) -> String? {
        guard format.hasPrefix("lab:"), format.count > 4 else { return nil }
        return String(format.dropFirst(4))
    }
}
