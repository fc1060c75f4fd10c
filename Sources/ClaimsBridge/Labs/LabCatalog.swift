import Foundation

/// A lab's product catalog: its product codes, each with the model's restoration kind and material, a price
/// and a turnaround in working days. Loaded from `Mappings/labs/<lab>/catalog.csv`.
///
/// The file is CSV with a header line `code,kind,material,price,turnaroundDays,description`; lines starting
/// with `#` and blank lines are ignored; a field may be quoted (`"Crown, zirconia"`). Tree mappings look codes
/// up in it both ways (`{key: productCode, catalog: catalog.csv}`): a code gives a kind and a material, and a
/// kind and a material give the one code that makes them.
public struct LabCatalog: Sendable {
    /// One product of the catalog.
    public struct Entry: Sendable, Hashable {
        /// The lab's product code.
        public var code: String
        /// The model's restoration kind.
        public var kind: RestorationKind
        /// The model's material.
        public var material: LabMaterial
        /// The price, two decimals (`"189.00"`), as written.
        public var price: String
        /// Working days the lab needs.
        public var turnaroundDays: String
        /// The lab's description.
        public var description: String
        /// The line of the catalog file.
        public var line: Int
    }

    /// The columns, in order.
    public static let columns = ["code", "kind", "material", "price", "turnaroundDays", "description"]

    /// The file it was read from.
    public let file: String
    /// The products, in file order.
    public let entries: [Entry]

    /// The file as messages name it: `labs/<lab>/catalog.csv` for a lab's catalog, wherever the mappings
    /// folder is, so that messages (and the golden files that pin them) do not depend on it.
    public var displayName: String {
        let parts = file.split(separator: "/")
        guard parts.count >= 3, parts[parts.count - 3] == "labs" else { return file }
        return parts.suffix(3).joined(separator: "/")
    }

    /// Reads a catalog file without judging its content (see ``LabCatalogCheck`` for that).
    /// - Throws: ``BridgeError`` (`invalidConfiguration`) when the file cannot be read or its header is wrong.
    public init(path: String) throws(BridgeError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BridgeError(.invalidConfiguration, "cannot read the lab catalog \(path)")
        }
        file = path
        var entries: [Entry] = []
        var sawHeader = false
        for (index, raw) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let text = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if text.trimmingCharacters(in: .whitespaces).isEmpty || text.hasPrefix("#") { continue }
            let fields = Self.fields(of: String(text))
            guard sawHeader else {
                guard fields == Self.columns else {
                    throw BridgeError(
                        .invalidConfiguration,
                        "the header must be \(Self.columns.joined(separator: ","))",
                        at: .init(file: path, line: index + 1))
                }
                sawHeader = true
                continue
            }
            var padded = fields
            while padded.count < Self.columns.count { padded.append("") }
            entries.append(
                Entry(
                    code: padded[0], kind: RestorationKind(rawValue: padded[1]),
                    material: LabMaterial(rawValue: padded[2]), price: padded[3], turnaroundDays: padded[4],
                    description: padded[5...].joined(separator: ","), line: index + 1))
        }
        guard sawHeader else {
            throw BridgeError(.invalidConfiguration, "the lab catalog is empty", at: .init(file: path, line: 1))
        }
        self.entries = entries
    }

    /// The product with this code, or nil.
    public func entry(forCode code: String) -> Entry? {
        entries.first { $0.code == code && !$0.code.isEmpty }
    }

    /// The product that makes `kind` in `material`, or nil.
    public func entry(kind: RestorationKind, material: LabMaterial) -> Entry? {
        entries.first { $0.kind == kind && $0.material == material && !$0.code.isEmpty }
    }

    /// Splits a CSV line; quoted fields may hold commas and doubled quotes.
    static func fields(of line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        current.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" && current.isEmpty {
                quoted = true
            } else if character == "," {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
