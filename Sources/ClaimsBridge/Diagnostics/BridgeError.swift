/// An error raised while loading mappings or translating a message.
///
/// Equality and hashing compare ``code`` only, so tests can assert `error == .invalidDate` while the
/// wording of ``reason`` keeps improving. ``reason`` never contains an input value: a value that would help
/// (the bytes of the field that failed) is kept apart in ``found`` and shown only on request, because a field
/// shifted by a damaged message can hold someone's personal data whatever its ID says.
public struct BridgeError: Error, Hashable, CustomStringConvertible, Sendable {
    /// What kind of problem this is.
    public var code: Code
    /// Where the problem is: a file and line for configuration, a message and field for data.
    public var location: Location
    /// What went wrong, in words a billing clerk understands.
    public var reason: String
    /// For a claim a carrier would reject: every reason, each with its CDAnet error code.
    public var problems: [CarrierProblem] = []
    /// The offending input value as text, at most ``maximumFoundLength`` characters; shown only with
    /// `--show-personal-data` (see ``description(showingFound:)``).
    public var found: String?

    /// The longest ``found`` value kept, in characters; longer values are cut with `…`.
    public static let maximumFoundLength = 40
    /// The longest ``reason`` printed, in characters; a longer one is cut and says how much was left out.
    public static let maximumReasonLength = 1_000

    /// Creates an error.
    public init(_ code: Code, _ reason: String, at location: Location = Location(), found: String? = nil) {
        self.code = code
        self.reason = reason
        self.location = location
        self.found = found.map { Self.bounded($0, to: Self.maximumFoundLength) }
    }

    public static func == (lhs: BridgeError, rhs: BridgeError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// `where: error: reason`, in the style of a compiler diagnostic, without the ``found`` value.
    public var description: String { description(showingFound: false) }

    /// `where: error: reason`, with ` (found "…")` appended when `showingFound` and a value is known.
    /// The line is bounded: the reason is cut at ``maximumReasonLength`` characters.
    public func description(showingFound: Bool) -> String {
        let place = location.description
        var text = Self.bounded(reason, to: Self.maximumReasonLength)
        if showingFound, let found { text += " (found \"\(found)\")" }
        return place.isEmpty ? "error: \(text)" : "\(place): error: \(text)"
    }

    /// `text` cut to `limit` characters, saying how many were left out.
    public static func bounded(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let total = text.count
        guard total > limit else { return text }
        return String(text.prefix(limit)) + "… (\(total - limit) more characters)"
    }

    /// Returns a copy with location details filled in where this error has none.
    public func located(_ fill: Location) -> BridgeError {
        var copy = self
        copy.location = location.merged(over: fill)
        return copy
    }
}

extension BridgeError {
    /// Identifies a class of problems. New codes may be added; do not switch over them exhaustively.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable, machine-readable name such as `invalidDate`.
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        // Configuration (layouts, mappings, code tables)
        public static let invalidConfiguration = Code("invalidConfiguration")
        public static let notReversible = Code("notReversible")

        // Framing
        public static let emptyInput = Code("emptyInput")
        public static let truncatedMessage = Code("truncatedMessage")
        public static let unknownVersion = Code("unknownVersion")
        public static let unknownTransaction = Code("unknownTransaction")
        public static let invalidLength = Code("invalidLength")
        public static let lengthMismatch = Code("lengthMismatch")
        public static let unrecognisedData = Code("unrecognisedData")
        public static let messageTooLarge = Code("messageTooLarge")

        // Fields
        public static let notDigits = Code("notDigits")
        public static let notLetters = Code("notLetters")
        public static let notPrintable = Code("notPrintable")
        public static let invalidDate = Code("invalidDate")
        public static let invalidMoney = Code("invalidMoney")
        public static let countOutOfRange = Code("countOutOfRange")
        public static let invalidFlag = Code("invalidFlag")
        public static let unknownCode = Code("unknownCode")
        public static let unexpectedConstant = Code("unexpectedConstant")
        public static let embeddedMessage = Code("embeddedMessage")

        // Model (JSON) input
        public static let invalidJSON = Code("invalidJSON")
        public static let unknownModelType = Code("unknownModelType")
        public static let missingValue = Code("missingValue")
        public static let wrongValueType = Code("wrongValueType")
        public static let valueTooLong = Code("valueTooLong")
        public static let notEncodable = Code("notEncodable")
        public static let tooManyItems = Code("tooManyItems")
        public static let unknownKey = Code("unknownKey")
        public static let unsupportedSchemaVersion = Code("unsupportedSchemaVersion")

        // Other
        public static let io = Code("io")
    }

    /// Where a problem is. Every part is optional; only what is known is printed.
    public struct Location: Hashable, Sendable, CustomStringConvertible {
        /// A configuration file or an input name.
        public var file: String?
        /// A 1-based line in ``file``.
        public var line: Int?
        /// The 1-based number of the message in the input.
        public var messageNumber: Int?
        /// The byte offset of the problem from the start of the input.
        public var byteOffset: Int?
        /// The field ID, e.g. `C05`.
        public var fieldID: String?
        /// The field's name, e.g. `Patient birth date`.
        public var fieldName: String?
        /// The model path, e.g. `patient.birthDate`.
        public var modelPath: String?

        public init(
            file: String? = nil, line: Int? = nil, messageNumber: Int? = nil, byteOffset: Int? = nil,
            fieldID: String? = nil, fieldName: String? = nil, modelPath: String? = nil
        ) {
            self.file = file
            self.line = line
            self.messageNumber = messageNumber
            self.byteOffset = byteOffset
            self.fieldID = fieldID
            self.fieldName = fieldName
            self.modelPath = modelPath
        }

        func merged(over other: Location) -> Location {
            Location(
                file: file ?? other.file, line: line ?? other.line,
                messageNumber: messageNumber ?? other.messageNumber, byteOffset: byteOffset ?? other.byteOffset,
                fieldID: fieldID ?? other.fieldID, fieldName: fieldName ?? other.fieldName,
                modelPath: modelPath ?? other.modelPath)
        }

        public var description: String {
            var parts: [String] = []
            if let file {
                parts.append(line.map { "\(file):\($0)" } ?? file)
            } else if let line {
                parts.append("line \(line)")
            }
            if let messageNumber { parts.append("message \(messageNumber)") }
            if let byteOffset { parts.append("byte \(byteOffset)") }
            if let fieldID {
                parts.append(fieldName.map { "field \(fieldID) (\($0))" } ?? "field \(fieldID)")
            }
            if let modelPath { parts.append("model path \(modelPath)") }
            return parts.joined(separator: ", ")
        }
    }
}
