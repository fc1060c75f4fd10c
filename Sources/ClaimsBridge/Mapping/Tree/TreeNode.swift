/// One element of a partner document: an XML element, or a JSON object of a partner payload.
///
/// Attributes keep their order. For JSON, the scalar members of an object are its attributes, objects are
/// child nodes named after their key, and each object of an array is a child node named after the array's key.
package struct TreeNode: Sendable, Equatable {
    /// One attribute (XML) or scalar member (JSON).
    package struct Attribute: Sendable, Equatable {
        package var name: String
        package var value: String
        /// How a JSON writer spells the value: a quoted string, a bare number, or true/false.
        package var kind: Kind
        /// The namespace URI of a prefixed XML attribute (`x:NOM`, `xml:lang`); empty for an unprefixed one,
        /// which is the only kind a mapping's attributes match.
        package var namespace: String
        package init(_ name: String, _ value: String, kind: Kind = .string, namespace: String = "") {
            self.name = name
            self.value = value
            self.kind = kind
            self.namespace = namespace
        }
    }

    package enum Kind: Sendable, Equatable { case string, number, bool }

    package var name: String
    /// The namespace URI; empty for none (and always for JSON).
    package var namespace: String
    package var attributes: [Attribute]
    package var children: [TreeNode]
    /// Character data directly inside the element (XML only), or nil.
    package var text: String?
    /// The 1-based line where the element starts in its input, when known.
    package var line: Int

    package init(
        name: String, namespace: String = "", attributes: [Attribute] = [], children: [TreeNode] = [],
        text: String? = nil, line: Int = 0
    ) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
    }

    /// The value of the unprefixed attribute `name`, or nil; an attribute of another namespace never matches.
    package func attribute(_ name: String) -> String? {
        // By index, so that no attribute is copied on the way (this runs for every value of every record).
        let length = name.utf8.count
        for index in attributes.indices
        where attributes[index].name.utf8.count == length && attributes[index].name == name
            && attributes[index].namespace.isEmpty
        {
            return attributes[index].value
        }
        return nil
    }

    /// Moves the line numbers of this node and everything inside it by `delta` (for a record parsed again
    /// on its own).
    package mutating func shiftLines(by delta: Int) {
        guard delta != 0 else { return }
        if line > 0 { line += delta }
        for index in children.indices { children[index].shiftLines(by: delta) }
    }
}

extension TreeNode {
    /// Converts a partner JSON object into a node (see the type's description).
    /// - Throws: ``BridgeError`` (`wrongValueType`) for a list of plain values, which the mappings do not address.
    package init(json value: TreeValue, name: String, path: String = "") throws(BridgeError) {
        self.init(name: name)
        guard case .object(let members) = value else {
            throw BridgeError(
                .wrongValueType, "must be an object but is \(value.kindName)",
                at: .init(fieldID: path.isEmpty ? "(document)" : path))
        }
        for member in members {
            let where_ = path.isEmpty ? member.key : path + "." + member.key
            switch member.value {
            case .string(let text): attributes.append(Attribute(member.key, text))
            case .number(let text): attributes.append(Attribute(member.key, text, kind: .number))
            case .bool(let flag): attributes.append(Attribute(member.key, flag ? "true" : "false", kind: .bool))
            case .null: continue
            case .object: children.append(try TreeNode(json: member.value, name: member.key, path: where_))
            case .array(let items):
                for (index, item) in items.enumerated() {
                    children.append(try TreeNode(json: item, name: member.key, path: "\(where_)[\(index + 1)]"))
                }
            }
        }
    }

    /// The node as a partner JSON object; children with the same name that `repeated` lists become arrays.
    package func jsonValue(repeated: Set<String>) -> TreeValue {
        var members: [TreeValue.Member] = []
        for attribute in attributes {
            switch attribute.kind {
            case .string: members.append(.init(attribute.name, .string(attribute.value)))
            case .number: members.append(.init(attribute.name, .number(attribute.value)))
            case .bool: members.append(.init(attribute.name, .bool(attribute.value == "true")))
            }
        }
        for child in children {
            let value = child.jsonValue(repeated: repeated)
            if repeated.contains(child.name) {
                if let index = members.firstIndex(where: { $0.key == child.name }),
                    case .array(var items) = members[index].value
                {
                    items.append(value)
                    members[index].value = .array(items)
                } else {
                    members.append(.init(child.name, .array([value])))
                }
            } else {
                members.append(.init(child.name, value))
            }
        }
        return .object(members)
    }
}
