/// One reason a carrier would reject a claim, with the CDAnet error code (G08) it would answer with.
public struct CarrierProblem: Sendable, Hashable, CustomStringConvertible {
    /// The ClaimsBridge problem code, e.g. `missingValue` or `notAccepted`.
    public var code: BridgeError.Code
    /// The CDAnet error code, e.g. `032`; empty when the spec has none for this problem.
    public var cdanetCode: String
    /// The rule's own code when the format has no error codes of its own (RAMQ: `RQ07`); empty otherwise.
    public var rule: String = ""
    public var fieldID: String
    public var fieldName: String
    /// The model path, with the array index: `procedures[1].serviceDate`.
    public var modelPath: String?
    /// The byte offset of the field in the input (reading only).
    public var byteOffset: Int?
    /// A sentence a billing clerk can act on; personal values only with `--show-personal-data`.
    public var reason: String

    public init(
        code: BridgeError.Code, cdanetCode: String, fieldID: String, fieldName: String, modelPath: String?,
        byteOffset: Int?, reason: String
    ) {
        self.code = code
        self.cdanetCode = cdanetCode
        self.fieldID = fieldID
        self.fieldName = fieldName
        self.modelPath = modelPath
        self.byteOffset = byteOffset
        self.reason = reason
    }

    /// `{"code":…,"cdanetCode":…,"fieldId":…,"fieldName":…,"modelPath":…,"byteOffset":…,"reason":…}`.
    public var json: [UInt8] {
        var out: [UInt8] = Array("{\"code\":".utf8)
        JSONWriter.appendString(Array(code.name.utf8)[...], to: &out)
        if !rule.isEmpty {
            out += Array(",\"rule\":".utf8)
            JSONWriter.appendString(Array(rule.utf8)[...], to: &out)
        }
        if !cdanetCode.isEmpty {
            out += Array(",\"cdanetCode\":".utf8)
            JSONWriter.appendString(Array(cdanetCode.utf8)[...], to: &out)
        }
        out += Array(",\"fieldId\":".utf8)
        JSONWriter.appendString(Array(fieldID.utf8)[...], to: &out)
        out += Array(",\"fieldName\":".utf8)
        JSONWriter.appendString(Array(fieldName.utf8)[...], to: &out)
        if let modelPath {
            out += Array(",\"modelPath\":".utf8)
            JSONWriter.appendString(Array(modelPath.utf8)[...], to: &out)
        }
        if let byteOffset { out += Array(",\"byteOffset\":\(byteOffset)".utf8) }
        out += Array(",\"reason\":".utf8)
        JSONWriter.appendString(Array(reason.utf8)[...], to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `,"problems":[…]`, or nothing when there are none.
    public static func jsonMember(_ problems: [CarrierProblem]) -> [UInt8] {
        guard !problems.isEmpty else { return [] }
        var out: [UInt8] = Array(",\"problems\":[".utf8)
        for (index, problem) in problems.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += problem.json
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// ` (CDAnet error 032)`, ` (rule RQ07)`, or nothing.
    var codeSuffix: String {
        cdanetCode.isEmpty ? (rule.isEmpty ? "" : " (rule \(rule))") : " (CDAnet error \(cdanetCode))"
    }

    /// `field F01 (Payee code), model path payee: reason (CDAnet error 032)`.
    public var description: String {
        let path = modelPath.map { ", model path \($0)" } ?? ""
        return "field \(fieldID) (\(fieldName))\(path): \(reason)\(codeSuffix)"
    }
}

extension BridgeError {
    /// One error for a claim with all its problems: the first one locates it, the reason lists them all.
    package static func carrierWouldReject(_ problems: [CarrierProblem], warning: Bool = false) -> BridgeError {
        let first = problems[0]
        let opening = warning ? "a carrier would reject this message" : "refused: a carrier would reject this claim"
        let reason =
            problems.count == 1
            ? "\(opening): \(first.reason)\(first.codeSuffix)"
            : "\(opening) for \(problems.count) reasons:\n"
                + problems.map { "    - \($0.description)" }.joined(separator: "\n")
        var error = BridgeError(
            .carrierWouldReject, reason,
            at: .init(
                byteOffset: first.byteOffset, fieldID: first.fieldID, fieldName: first.fieldName,
                modelPath: first.modelPath))
        error.problems = problems
        return error
    }
}
