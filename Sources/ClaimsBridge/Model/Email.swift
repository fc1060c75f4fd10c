/// An e-mail from a carrier to the office, delivered through CDAnet (version 04): JSON type `email`.
public struct EmailMessage: Sendable, Hashable, Codable {
    /// The message header [A01–A04, A11].
    public var routing: Routing
    /// The office the e-mail is for [G48].
    public var officeNumber: String
    /// The carrier's reference for the e-mail [G54].
    public var reference: String?
    /// Who the e-mail is addressed to [G49].
    public var to: String?
    /// Who sent it [G50].
    public var from: String?
    /// Subject line [G51].
    public var subject: String?
    /// The text, one line per element; empty when none [G52, G53].
    public var lines: [EmailLine]

    /// An e-mail.
    public init(
        routing: Routing, officeNumber: String, reference: String? = nil, to: String? = nil, from: String? = nil,
        subject: String? = nil, lines: [EmailLine] = []
    ) {
        self.routing = routing
        self.officeNumber = officeNumber
        self.reference = reference
        self.to = to
        self.from = from
        self.subject = subject
        self.lines = lines
    }

    private enum CodingKeys: String, CodingKey {
        case routing, officeNumber, reference, to, from, subject, lines
    }

    /// Decodes an e-mail from its JSON form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        routing = try c.decode(Routing.self, forKey: .routing)
        officeNumber = try c.decode(String.self, forKey: .officeNumber)
        reference = try c.decodeIfPresent(String.self, forKey: .reference)
        to = try c.decodeIfPresent(String.self, forKey: .to)
        from = try c.decodeIfPresent(String.self, forKey: .from)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        lines = try c.decodeList([EmailLine].self, forKey: .lines)
    }

    /// Encodes the e-mail in its JSON form, leaving out absent values and empty `lines`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(routing, forKey: .routing)
        try c.encode(officeNumber, forKey: .officeNumber)
        try c.encodeIfPresent(reference, forKey: .reference)
        try c.encodeIfPresent(to, forKey: .to)
        try c.encodeIfPresent(from, forKey: .from)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeList(lines, forKey: .lines)
    }
}

/// One line of an e-mail's text.
public struct EmailLine: Sendable, Hashable, Codable {
    /// The text [G53].
    public var text: String?

    /// An e-mail line.
    public init(text: String? = nil) {
        self.text = text
    }
}
