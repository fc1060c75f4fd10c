import Logging

/// A message that could not be translated, with its original bytes so nothing is lost.
public struct RejectedMessage: Sendable {
    /// The 1-based number of the message in the input (for JSON Lines input: the line number).
    public var messageNumber: Int
    /// The byte offset of the message's first byte in the input.
    public var messageOffset: Int
    /// What is wrong and where.
    public var error: BridgeError
    /// The message's bytes exactly as received.
    public var original: [UInt8]
    /// Whether the input is JSON Lines, so that the message number is a line number.
    public var isLine: Bool

    public init(messageNumber: Int, messageOffset: Int, error: BridgeError, original: [UInt8], isLine: Bool = false) {
        self.messageNumber = messageNumber
        self.messageOffset = messageOffset
        self.error = error
        self.original = original
        self.isLine = isLine
    }

    /// One line of the errors file (JSON, no newline): position, field, reason and the original bytes in Base64.
    public var jsonLine: [UInt8] {
        var out: [UInt8] = Array("{\"messageNumber\":\(messageNumber),\"messageOffset\":\(messageOffset)".utf8)
        if let offset = error.location.byteOffset { out += Array(",\"byteOffset\":\(offset)".utf8) }
        if let line = error.location.line { out += Array(",\"line\":\(line)".utf8) }
        if let id = error.location.fieldID {
            out += JSONWriter.keyBytes("fieldId").prefixComma()
            JSONWriter.appendString(Array(id.utf8)[...], to: &out)
        }
        if let name = error.location.fieldName {
            out += JSONWriter.keyBytes("fieldName").prefixComma()
            JSONWriter.appendString(Array(name.utf8)[...], to: &out)
        }
        if let path = error.location.modelPath {
            out += JSONWriter.keyBytes("modelPath").prefixComma()
            JSONWriter.appendString(Array(path.utf8)[...], to: &out)
        }
        out += JSONWriter.keyBytes("code").prefixComma()
        JSONWriter.appendString(Array(error.code.name.utf8)[...], to: &out)
        out += JSONWriter.keyBytes("reason").prefixComma()
        JSONWriter.appendString(
            Array(BridgeError.bounded(error.reason, to: BridgeError.maximumReasonLength).utf8)[...], to: &out)
        out += CarrierProblem.jsonMember(error.problems)
        out += Array(",\"length\":\(original.count),\"originalBase64\":\"".utf8)
        out += Base64.encode(original)
        out += Array("\"}".utf8)
        return out
    }

    /// The diagnostic line for the terminal: `input: message 2, byte 608, field F09 (Date of service): error: …`.
    /// - Parameter showingFound: append the offending value (`--show-personal-data`); by default no input
    ///   value appears, since a damaged message can shift personal data into any field.
    public func diagnostic(inputName: String, showingFound: Bool = false) -> String {
        var location = error.location
        location.file = isLine ? nil : inputName
        location.messageNumber = isLine ? nil : messageNumber
        location.line = nil
        if location.byteOffset == nil { location.byteOffset = messageOffset }
        let place = isLine ? "\(inputName), line \(messageNumber), " : ""
        var shown = error
        shown.location = location
        return place + shown.description(showingFound: showingFound)
    }
}

extension Array where Element == UInt8 {
    fileprivate func prefixComma() -> [UInt8] { [UInt8(ascii: ",")] + self }
}

/// Standard Base64 (RFC 4648) without line breaks.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    package static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [
                alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)],
            ]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return out
    }

    package static func decode(_ text: [UInt8]) -> [UInt8]? {
        var lookup = [Int](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { lookup[Int(byte)] = index }
        var out: [UInt8] = []
        var accumulator = 0
        var bits = 0
        for byte in text where byte != UInt8(ascii: "=") {
            let value = lookup[Int(byte)]
            guard value >= 0 else { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(accumulator >> bits & 0xFF))
            }
        }
        return out
    }
}

extension RejectedMessage {
    /// A debug line with the position and error code; never the message's content.
    func log(to logger: Logger) {
        logger.debug(
            "message rejected",
            metadata: [
                "message.index": "\(messageNumber)", "message.offset": "\(messageOffset)",
                "error.code": "\(error.code)", "field.id": "\(error.location.fieldID ?? "-")",
            ])
    }
}

extension TranslationSummary {
    /// An info line with the counts.
    func log(to logger: Logger) {
        logger.info(
            "translation finished",
            metadata: ["messages": "\(messages)", "translated": "\(translated)", "rejected": "\(rejected)"])
    }
}
