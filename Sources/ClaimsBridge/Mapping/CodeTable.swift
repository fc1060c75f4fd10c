/// A table relating wire codes to the names the model uses, e.g. relationship `1` ↔ `self`.
///
/// Codes are compared after trailing spaces are removed. Aliases are synonyms some senders use (`O` for oui
/// stands for `Y`); a message holding one is refused on reading, since it would be written back with the
/// canonical code, not as received.
package struct CodeTable: Sendable {
    package struct Entry: Sendable {
        /// The wire code, without trailing spaces.
        package var code: [UInt8]
        /// The model name as UTF-8.
        package var name: [UInt8]
    }

    package var name: String
    package var entries: [Entry]
    /// Alias code → index of the canonical entry.
    package var aliases: [(code: [UInt8], entry: Int)]
    /// A name used by more than one code, which makes the table unusable for writing.
    package var ambiguousName: String?
    /// The line of the table in its file.
    package var line: Int
    package var file: String

    /// The entry for a wire code (trailing spaces already removed), or nil.
    @inline(__always)
    package func entry(forCode code: UnsafeBufferPointer<UInt8>) -> Int? {
        for (index, entry) in entries.enumerated() where entry.code.elementsEqual(code) { return index }
        for alias in aliases where alias.code.elementsEqual(code) { return alias.entry }
        return nil
    }

    /// The entry for a model name, or nil.
    @inline(__always)
    package func entry(forName name: UnsafeBufferPointer<UInt8>) -> Int? {
        for (index, entry) in entries.enumerated() where entry.name.elementsEqual(name) { return index }
        return nil
    }

    /// `self, spouse, child` — for error messages.
    package var nameList: String {
        entries.map { String(decoding: $0.name, as: UTF8.self) }.joined(separator: ", ")
    }

    /// `1, 2, 3` — for error messages.
    package var codeList: String {
        entries.map { $0.code.isEmpty ? "(blank)" : String(decoding: $0.code, as: UTF8.self) }.joined(separator: ", ")
    }

    /// Reads a table from `{codes: {…}, aliases: {…}}` or from a plain `{code: name}` map.
    package static func parse(name: String, node: ConfigNode) throws -> CodeTable {
        let codesNode: ConfigNode
        var aliasNode: ConfigNode?
        if node["codes"] != nil {
            try node.expectKeys(["codes", "aliases"], in: "code table \(name)")
            codesNode = try node.required("codes")
            aliasNode = node["aliases"]
        } else {
            codesNode = node
        }
        var table = CodeTable(
            name: name, entries: [], aliases: [], ambiguousName: nil, line: node.line, file: node.file)
        for entry in try codesNode.entries("code table \(name)") {
            let code = Array(entry.key.utf8.reversed().drop(while: { $0 == 0x20 }).reversed())
            let value = Array(try entry.value.string("a code's name").utf8)
            guard !table.entries.contains(where: { $0.code == code }) else {
                throw entry.keyNode.error("code \"\(entry.key)\" appears twice in table \(name)")
            }
            guard !value.isEmpty else { throw entry.value.error("code \"\(entry.key)\" needs a name") }
            if table.ambiguousName == nil, table.entries.contains(where: { $0.name == value }) {
                table.ambiguousName = String(decoding: value, as: UTF8.self)
            }
            table.entries.append(Entry(code: code, name: value))
        }
        for alias in try aliasNode?.entries("aliases of \(name)") ?? [] {
            let target = Array(try alias.value.string("an alias target").utf8)
            guard let index = table.entries.firstIndex(where: { $0.code == target }) else {
                throw alias.value.error(
                    "alias \"\(alias.key)\" points to \"\(String(decoding: target, as: UTF8.self))\", which is not a code of table \(name)"
                )
            }
            let code = Array(alias.key.utf8)
            guard !table.entries.contains(where: { $0.code == code }) else {
                throw alias.keyNode.error("\"\(alias.key)\" is both a code and an alias in table \(name)")
            }
            table.aliases.append((code, index))
        }
        guard !table.entries.isEmpty else { throw node.error("code table \(name) is empty") }
        return table
    }

    /// Loads a file of tables: `tables: {name: {codes: …, aliases: …}}`.
    package static func loadFile(path: String) throws -> [String: CodeTable] {
        let root = try ConfigNode.load(path: path)
        try root.expectKeys(["tables"], in: "a code table file")
        var tables: [String: CodeTable] = [:]
        for entry in try root.required("tables").entries("`tables`") {
            guard tables[entry.key] == nil else { throw entry.keyNode.error("table \(entry.key) is defined twice") }
            tables[entry.key] = try parse(name: entry.key, node: entry.value)
        }
        return tables
    }
}
