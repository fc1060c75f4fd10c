import ClaimsBridge
import Foundation

/// Builds distinct, valid CDAnet v04 claims from the fixture claims by varying non-structural fields.
///
/// Each copy gets its own office sequence number (A02), patient last name (C06, code page 850) and fee of
/// the first procedure line (F12). Lengths, counts and every other field stay as in the fixture.
enum SyntheticClaims {
    static let fixtureNames = ["01-claim-basic.txt", "01-claim-maximal.txt"]

    /// Québec surnames, some with accents.
    static let surnames = [
        "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné",
        "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard",
        "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc",
        "Lefebvre", "Poulin", "Thibault", "St-Pierre", "Nadeau", "Bédard", "Hébert", "Desjardins", "Bérubé",
        "Ménard", "Vézina", "Paré", "Séguin", "Gélinas", "Trépanier", "Brûlé", "Noël", "Théorêt", "Lépine",
        "D'Amours", "Côté-Lévesque", "Éthier", "Bélisle",
    ]

    /// Where the varied fields sit in one fixture message.
    struct Template {
        var bytes: [UInt8]
        var sequenceNumber: Range<Int>
        var lastName: Range<Int>
        var firstFee: Range<Int>
    }

    /// Loads the fixture claims and locates the fields to vary with the library's own field listing.
    static func templates(fixtures: String, catalog: CDAnetCatalog) throws -> [Template] {
        try fixtureNames.map { name in
            let path = fixturePath(fixtures, name)
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
            let bytes = [UInt8](data)
            let spans = try fieldSpans(of: bytes, catalog: catalog)
            func span(_ id: String, width: Int) throws -> Range<Int> {
                guard let range = spans[id], range.count == width else {
                    throw BenchError("\(name): field \(id) with width \(width) not found")
                }
                return range
            }
            return Template(
                bytes: bytes, sequenceNumber: try span("A02", width: 6), lastName: try span("C06", width: 25),
                firstFee: try span("F12", width: 6))
        }
    }

    /// `count` distinct claims, alternating between the templates.
    static func pool(count: Int, templates: [Template]) -> MessagePool {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for index in 0..<count {
            let template = templates[index % templates.count]
            var message = template.bytes
            putDigits(index + 1, in: &message, template.sequenceNumber)
            putText(CP850.encode(surnames[index % surnames.count])!, in: &message, template.lastName)
            putDigits(1_000 + (index * 7_919) % 98_000, in: &message, template.firstFee)
            bytes += message
            ends.append(bytes.count)
        }
        return MessagePool(bytes: bytes, ends: ends)
    }

    private static func fixturePath(_ fixtures: String, _ name: String) -> String {
        let nested = fixtures + "/cdanet/v04/" + name
        return FileManager.default.fileExists(atPath: nested) ? nested : fixtures + "/" + name
    }

    /// The byte range of the first occurrence of each field, read from the `.fields` listing.
    private static func fieldSpans(of message: [UInt8], catalog: CDAnetCatalog) throws -> [String: Range<Int>] {
        var input = MemoryInput(message)
        var output = MemoryOutput()
        var failure: String?
        let pipeline = CDAnetReadPipeline(catalog: catalog, format: .fields(showPersonalData: true))
        let summary = try pipeline.run(input: &input, output: &output) { failure = $0.diagnostic(inputName: "fixture") }
        if let failure { throw BenchError(failure) }
        guard summary.translated == 1 else { throw BenchError("the fixture holds \(summary.messages) messages, not 1") }
        var spans: [String: Range<Int>] = [:]
        // Lines read: offset, width, field ID, name, value.
        for line in String(decoding: output.bytes, as: UTF8.self).split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 3)
            guard words.count >= 3, let offset = Int(words[0]), let width = Int(words[1]) else { continue }
            let id = String(words[2])
            if spans[id] == nil { spans[id] = offset..<(offset + width) }
        }
        return spans
    }

    private static func putDigits(_ value: Int, in message: inout [UInt8], _ range: Range<Int>) {
        var rest = value
        for index in range.reversed() {
            message[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    private static func putText(_ text: [UInt8], in message: inout [UInt8], _ range: Range<Int>) {
        precondition(text.count <= range.count)
        for (offset, index) in range.enumerated() {
            message[index] = offset < text.count ? text[offset] : UInt8(ascii: " ")
        }
    }
}

/// The code page 850 bytes of the accented letters that occur in French names.
enum CP850 {
    private static let accented: [Character: UInt8] = [
        "Ç": 0x80, "ü": 0x81, "é": 0x82, "â": 0x83, "à": 0x85, "ç": 0x87, "ê": 0x88, "ë": 0x89, "è": 0x8A,
        "ï": 0x8B, "î": 0x8C, "É": 0x90, "ô": 0x93, "û": 0x96, "ù": 0x97, "Â": 0xB6, "À": 0xB7, "Ê": 0xD2,
        "Ë": 0xD3, "È": 0xD4, "Î": 0xD7, "Ï": 0xD8, "Ô": 0xE2, "Û": 0xEA, "Ù": 0xEB,
    ]

    /// The name in code page 850, or nil when it holds a character outside ASCII and the table above.
    static func encode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for character in text {
            if let ascii = character.asciiValue {
                bytes.append(ascii)
            } else if let byte = accented[character] {
                bytes.append(byte)
            } else {
                return nil
            }
        }
        return bytes
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
