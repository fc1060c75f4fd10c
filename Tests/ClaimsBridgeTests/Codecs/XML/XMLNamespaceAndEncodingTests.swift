import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Attributes and elements of another namespace are never taken for the format's own, and a document whose
/// bytes do not satisfy its declared encoding is refused by position, never by quoting the bytes.
@Suite struct XMLNamespaceAndEncodingTests {
    static let batch = (try? Fixtures.bytes("ramq/many-claims.xml")) ?? []
    static let text = String(decoding: batch, as: UTF8.self)

    static func read(_ text: String) throws -> TranslationRun {
        try read(Array(text.utf8))
    }

    static func read(_ bytes: [UInt8]) throws -> TranslationRun {
        try TreeTranslate.read(bytes, mapping: try TreeTranslate.mapping("ramq/claim.mapping.yaml"))
    }

    @Test(arguments: [
        #"x:NOM="Injected" xmlns:x="urn:evil""#, #"xml:NOM="Injected""#, #"NOM="Côté" x:NOM="Injected" xmlns:x="urn:evil""#,
    ])
    func aForeignAttributeIsNeverTheLastName(_ replacement: String) throws {
        let run = try Self.read(Self.text.replacingOccurrences(of: #"NOM="Côté""#, with: replacement))
        #expect(!String(decoding: run.output, as: UTF8.self).contains("Injected"))
        #expect(run.summary.translated == 3)
        let reject = try #require(run.rejects.first)
        #expect(reject.messageNumber == 1)
        #expect(reject.error.location.fieldID?.contains("NOM") == true)
    }

    @Test func theMappingRefusesAForeignAttributeEvenWithoutASchema() throws {
        let mapping = try TreeTranslate.mapping("ramq/claim.mapping.yaml")
        let reader = XMLStreamReader(input: MemoryInput(Self.batch), name: "batch")
        _ = try reader.readRoot()
        var record = try #require(try reader.nextRecord())
        _ = try mapping.readRecord(record)
        let person = try #require(record.children.firstIndex { $0.name == "PERS_ASSU" })
        record.children[person].attributes.append(.init("NOM", "Injected", namespace: "urn:evil"))
        #expect(record.children[person].attribute("NOM") == "Côté")
        #expect(throws: BridgeError(.unexpectedElement, "")) { _ = try mapping.readRecord(record) }
    }

    @Test func aForeignElementIsNotThePatient() throws {
        let run = try Self.read(
            Self.text.replacingOccurrences(
                of: #"<PERS_ASSU NAM="COTF12541712""#, with: #"<x:PERS_ASSU xmlns:x="urn:evil" NAM="COTF12541712""#))
        #expect(run.summary.translated == 3)
        #expect(run.rejects.first?.messageNumber == 1)
    }

    @Test func latin1DeclaredAsUTF8IsRefusedWithoutQuotingTheBytes() throws {
        let latin1 = try #require(Self.text.data(using: .isoLatin1))
        let run = try Self.read(Array(latin1))
        let reject = try #require(run.rejects.first)
        #expect(reject.error.reason.contains("not valid UTF-8"))
        #expect(reject.error.reason.contains("Latin-1"))
        #expect(!reject.error.reason.contains("0x"))
        #expect(!reject.error.reason.contains("Bytes"))
        #expect(reject.messageOffset + reject.original.count == latin1.count)
    }

    @Test func recordsBeforeTheFirstBadByteAreStillTranslated() throws {
        let plainFirst = Self.text.replacingOccurrences(of: "Françoise", with: "Francoise")
            .replacingOccurrences(of: "Côté", with: "Cote").replacingOccurrences(of: "aiguë", with: "aigue")
        let latin1 = try #require(plainFirst.data(using: .isoLatin1))
        let run = try Self.read(Array(latin1))
        #expect(run.summary.translated == 1)
        #expect(run.rejects.count == 1)
        #expect(XMLAccountingTests.checkAccounting(run, input: Array(latin1), records: XMLAccountingTests.records(in: Array(latin1))) == 1)
    }

    @Test func utf8DeclaredAsLatin1IsRefusedInsteadOfGarbled() throws {
        let run = try Self.read(Self.text.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\""))
        #expect(!String(decoding: run.output, as: UTF8.self).contains("Ã"))
        #expect(run.summary.translated == 0)
        let reason = try #require(run.rejects.first?.error.reason)
        #expect(reason.contains("is most likely UTF-8"))
        #expect(!reason.contains("Côté") && !reason.contains("Ã"))
    }

    /// The parser, reading Latin-1 as declared, is stopped where the first accented character written in UTF-8 is.
    @Test func utf8DeclaredAsLatin1AfterPlainRecordsKeepsTheRecordsBeforeIt() throws {
        let plainFirst = Self.text.replacingOccurrences(of: "Françoise", with: "Francoise")
            .replacingOccurrences(of: "Côté", with: "Cote").replacingOccurrences(of: "aiguë", with: "aigue")
            .replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\"")
        let input = Array(plainFirst.utf8)
        let run = try Self.read(input)
        #expect(run.summary.translated == 1)
        #expect(!String(decoding: run.output, as: UTF8.self).contains("Ã"))
        let reject = try #require(run.rejects.last)
        #expect(reject.error.reason.contains("is most likely UTF-8"))
        #expect(reject.messageOffset + reject.original.count == input.count)
        #expect(XMLAccountingTests.checkAccounting(run, input: input, records: XMLAccountingTests.records(in: input)) == 1)
    }

    @Test func realLatin1DeclaredAsLatin1IsRead() throws {
        let declared = Self.text.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\"")
        let run = try Self.read(Array(try #require(declared.data(using: .isoLatin1))))
        #expect(run.rejects.isEmpty)
        #expect(run.summary.translated == 4)
        #expect(String(decoding: run.output, as: UTF8.self).contains("Côté"))
    }

    @Test(arguments: [
        ("", "the input is empty"), ("   \n", "holds no XML element"),
        ("<?xml version=\"1.0\"?>\n<DP_RACIN xmlns=\"http://tempuri.org/DP_DENTI.xsd\">\n  <DP xmlns=\"\" CHN=\"0", "ends before it is complete"),
    ])
    func emptyAndTruncatedInputsAreCalledWhatTheyAre(_ input: String, _ expected: String) throws {
        let run = try Self.read(input)
        let reason = try #require(run.rejects.first?.error.reason)
        #expect(reason.contains(expected), "\(reason)")
        #expect(!reason.contains("Extra content"))
    }
}
