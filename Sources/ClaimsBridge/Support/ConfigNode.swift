import Foundation
import Yams

/// A YAML node read from a configuration file, remembering its file and line so that every problem
/// can be reported as `file:line`.
package struct ConfigNode {
    let node: Node
    package let file: String

    /// Parses a YAML file.
    /// - Throws: ``BridgeError`` with code `invalidConfiguration` when the file cannot be read or is not YAML.
    package static func load(path: String) throws -> ConfigNode {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BridgeError(.invalidConfiguration, "cannot read the file", at: .init(file: path))
        }
        do {
            // Every value is read as text and converted where it is used, so YAML's implicit typing (a regular
            // expression per scalar) is not needed: the basic resolver tags every scalar as a string.
            guard let node = try Yams.compose(yaml: text, .basic) else {
                throw BridgeError(.invalidConfiguration, "the file is empty", at: .init(file: path))
            }
            return ConfigNode(node: node, file: path)
        } catch let error as BridgeError {
            throw error
        } catch let error as YamlError {
            throw BridgeError(.invalidConfiguration, "not valid YAML: \(Self.describe(error))", at: .init(file: path))
        }
    }

    private static func describe(_ error: YamlError) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "syntax error"
    }

    /// The 1-based line of this node.
    package var line: Int { node.mark?.line ?? 0 }

    /// A location pointing at this node.
    package var location: BridgeError.Location { .init(file: file, line: line) }

    /// An error at this node.
    package func error(_ reason: String) -> BridgeError {
        BridgeError(.invalidConfiguration, reason, at: location)
    }

    /// The scalar text, or nil when the node is a mapping or a sequence.
    package var scalar: String? { node.scalar?.string }

    /// Whether the node is a mapping.
    package var isMapping: Bool { node.mapping != nil }

    /// The scalar text.
    /// - Throws: when the node is not a scalar.
    package func string(_ what: String) throws -> String {
        guard let value = scalar else { throw error("\(what) must be a single value") }
        return value
    }

    /// The scalar as a whole number.
    package func int(_ what: String) throws -> Int {
        guard let text = scalar, let value = Int(text) else { throw error("\(what) must be a whole number") }
        return value
    }

    /// The scalar as true/false.
    package func bool(_ what: String) throws -> Bool {
        switch scalar?.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw error("\(what) must be true or false")
        }
    }

    /// The entries of a mapping in file order.
    package func entries(_ what: String) throws -> [(key: String, keyNode: ConfigNode, value: ConfigNode)] {
        guard let mapping = node.mapping else { throw error("\(what) must be a mapping of keys to values") }
        return try mapping.map { pair in
            let keyNode = ConfigNode(node: pair.key, file: file)
            return (try keyNode.string("a key"), keyNode, ConfigNode(node: pair.value, file: file))
        }
    }

    /// The items of a sequence.
    package func items(_ what: String) throws -> [ConfigNode] {
        guard let sequence = node.sequence else { throw error("\(what) must be a list") }
        return sequence.map { ConfigNode(node: $0, file: file) }
    }

    /// The value for `key` in a mapping, or nil.
    package subscript(key: String) -> ConfigNode? {
        guard let mapping = node.mapping else { return nil }
        for pair in mapping where pair.key.scalar?.string == key {
            return ConfigNode(node: pair.value, file: file)
        }
        return nil
    }

    /// The value for a required `key`.
    package func required(_ key: String) throws -> ConfigNode {
        guard let value = self[key] else { throw error("missing `\(key)`") }
        return value
    }

    /// Refuses keys other than `allowed`, so that a misspelt key is reported instead of ignored.
    package func expectKeys(_ allowed: Set<String>, in what: String) throws {
        for entry in try entries(what) where !allowed.contains(entry.key) {
            let list = allowed.sorted().map { "`\($0)`" }.joined(separator: ", ")
            throw entry.keyNode.error("unknown key `\(entry.key)` in \(what); expected one of \(list)")
        }
    }
}
