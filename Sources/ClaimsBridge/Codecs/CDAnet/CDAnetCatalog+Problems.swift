extension CDAnetCatalog {
    /// A reading error (a bad date, a length that does not match, letters in a number field) in the form of a
    /// carrier problem, so that every reject lists its `problems`: the field's CDAnet error code when the
    /// message's transaction is known (its rules file's `fieldCodes`), or the code of the header field at fault
    /// (003 format version, 004 transaction code, 044 message length).
    package func problem(describing error: BridgeError, message: [UInt8]) -> CarrierProblem {
        let fieldID = error.location.fieldID ?? ""
        var mapping: Mapping?
        if message.count >= 22, let version = Self.twoDigits(message, 18),
            let transaction = Self.twoDigits(message, 20)
        {
            mapping = self.mapping(version: version, transaction: transaction)
        }
        var cdanetCode = ""
        var modelPath = error.location.modelPath
        if let mapping, let index = mapping.layout.fields.firstIndex(where: { $0.id == fieldID }) {
            cdanetCode = mapping.carrierRules?.fieldCodes[index] ?? ""
            if modelPath == nil, mapping.layout.fields[index].group == nil {
                modelPath = mapping.modelPath(ofField: index, instance: 0)
            }
        }
        if cdanetCode.isEmpty {
            switch fieldID {
            case "A03": cdanetCode = "003"
            case "A04": cdanetCode = "004"
            case "A07": cdanetCode = "044"
            default: break
            }
        }
        return CarrierProblem(
            code: error.code, cdanetCode: cdanetCode, fieldID: fieldID, fieldName: error.location.fieldName ?? "",
            modelPath: modelPath, byteOffset: error.location.byteOffset, reason: error.reason)
    }

    private static func twoDigits(_ bytes: [UInt8], _ at: Int) -> Int? {
        guard bytes[at].isDigit, bytes[at + 1].isDigit else { return nil }
        return Int(bytes[at] - 48) * 10 + Int(bytes[at + 1] - 48)
    }
}
