extension CDAnetCatalog: EmbeddedMessageReader, EmbeddedMessageWriter {
    /// The deepest nesting of embedded messages accepted (a COB claim carrying an EOB carrying an EOB).
    package static let maximumEmbeddingDepth = 3

    package func appendModelJSON(
        embedded message: UnsafeBufferPointer<UInt8>, baseOffset: Int, depth: Int, to output: inout OutputBuffer
    ) throws(BridgeError) {
        guard depth <= Self.maximumEmbeddingDepth else {
            throw BridgeError(
                .embeddedMessage, "embedded messages are nested more than \(Self.maximumEmbeddingDepth) deep")
        }
        let mapping = try mappingForMessage(message, baseOffset: baseOffset)
        let record = DecodedRecord()
        try FixedWidthDecoder(layout: mapping.layout).decode(message, baseOffset: baseOffset, into: record)
        try mapping.appendJSON(
            of: record, message: message, baseOffset: baseOffset, embedded: self, depth: depth, to: &output)
    }

    package func appendMessage(
        embedded object: Int, in tape: JSONTape, depth: Int, to output: inout OutputBuffer
    ) throws(BridgeError) {
        let mapping = try mappingForModel(object, in: tape)
        try mapping.appendMessage(from: tape, object: object, embedded: self, depth: depth, to: &output)
    }

    /// The mapping for a complete message, checked against its own length field.
    package func mappingForMessage(
        _ message: UnsafeBufferPointer<UInt8>, baseOffset: Int, checkLength: Bool = true
    ) throws(BridgeError) -> Mapping {
        guard message.count >= 22 else {
            throw BridgeError(
                .truncatedMessage, "is only \(message.count) bytes long", at: .init(byteOffset: baseOffset))
        }
        func digits(_ index: Int) -> Int? {
            let high = message[index] &- UInt8(ascii: "0")
            let low = message[index + 1] &- UInt8(ascii: "0")
            return high < 10 && low < 10 ? Int(high) * 10 + Int(low) : nil
        }
        guard let version = digits(18), let transaction = digits(20),
            let mapping = mapping(version: version, transaction: transaction)
        else {
            throw BridgeError(
                .unknownTransaction, "does not start with a known version and transaction code",
                at: .init(byteOffset: baseOffset + 18))
        }
        let layout = mapping.layout
        guard checkLength else { return mapping }
        let field = layout.fields[layout.lengthField]
        let lengthEnd = layout.lengthFieldOffset + layout.lengthFieldWidth
        guard message.count >= lengthEnd else {
            throw BridgeError(.truncatedMessage, "ends before its length field", at: .init(byteOffset: baseOffset))
        }
        let stated = UnsafeBufferPointer(rebasing: message[layout.lengthFieldOffset..<lengthEnd])
        guard stated.allSatisfy(\.isDigit), Int(digits: stated, 0, stated.count) == message.count else {
            throw BridgeError(
                .lengthMismatch, "its length field does not match its \(message.count) bytes",
                at: .init(byteOffset: baseOffset + layout.lengthFieldOffset, fieldID: field.id, fieldName: field.name))
        }
        return mapping
    }

    /// The mapping that writes a model object, from its `type` and `routing.version`.
    package func mappingForModel(_ object: Int, in tape: JSONTape) throws(BridgeError) -> Mapping {
        guard tape.kind(object) == .object else {
            throw BridgeError(
                .wrongValueType, "a message must be a JSON object", at: .init(byteOffset: tape.offset(object)))
        }
        guard let typeToken = tape.member(object, Array("type".utf8)), tape.kind(typeToken) == .string else {
            throw BridgeError(
                .missingValue, "the object has no \"type\" saying what kind of message it is (e.g. \"claim\")",
                at: .init(byteOffset: tape.offset(object), modelPath: "type"))
        }
        let type = tape.withStringBytes(typeToken) { String(decoding: $0, as: UTF8.self) }
        guard let routing = tape.member(object, Array("routing".utf8)), tape.kind(routing) == .object,
            let versionToken = tape.member(routing, Array("version".utf8)), tape.kind(versionToken) == .string
        else {
            throw BridgeError(
                .missingValue, "routing.version is needed to choose the CDAnet version (\"04\" or \"02\")",
                at: .init(byteOffset: tape.offset(object), modelPath: "routing.version"))
        }
        let version = tape.withStringBytes(versionToken) { String(decoding: $0, as: UTF8.self) }
        guard let mapping = mapping(type: type, version: version) else {
            let known = modelTypes.contains(type)
            throw BridgeError(
                .unknownModelType,
                known
                    ? "CDAnet version \(DiagnosticText.quoted(version)) has no \(type) message"
                    : "\(DiagnosticText.quoted(type)) is not a message type; known types are \(modelTypes.joined(separator: ", "))",
                at: .init(byteOffset: tape.offset(typeToken), modelPath: known ? "routing.version" : "type"))
        }
        return mapping
    }
}
