// Coding helpers shared by the model types: lists that the JSON form leaves out when they are empty.

extension KeyedDecodingContainer {
    /// A list that may be absent: an absent key (or `null`) is an empty list.
    func decodeList<Element: Decodable>(_ type: [Element].Type, forKey key: Key) throws -> [Element] {
        try decodeIfPresent(type, forKey: key) ?? []
    }
}

extension KeyedEncodingContainer {
    /// Writes a list only when it has elements, as the mappings do.
    mutating func encodeList<Element: Encodable>(_ list: [Element], forKey key: Key) throws {
        if !list.isEmpty { try encode(list, forKey: key) }
    }
}
