import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// The one list of translations, shared by `translate` and the watcher's routes, and running them prepared.
@Suite struct TranslationRegistryTests {
    @Test func fixedFormatsAndLabNamesAreFound() throws {
        #expect(TranslationRegistry.find(from: "cdanet", to: "json")?.kind == .cdanetToJSON)
        #expect(TranslationRegistry.find(from: "json", to: "ramq")?.kind == .tree(bundledMapping: "ramq/claim.mapping.yaml", writes: true))
        #expect(TranslationRegistry.find(from: "json", to: "xml")?.needsMappingFile == true)
        #expect(TranslationRegistry.find(from: "lab-order", to: "lab:example-xml")?.kind == .ordersToLab(lab: "example-xml"))
        #expect(TranslationRegistry.find(from: "lab:example-rest", to: "lab-order")?.kind == .ordersFromLab(lab: "example-rest"))
        let status = try #require(TranslationRegistry.find(from: "lab:example-rest-status", to: "json"))
        #expect(status.kind == .labStatus(lab: "example-rest"))
        #expect(status.needsOrders)
        #expect(TranslationRegistry.find(from: "json", to: "json") == nil)
        #expect(TranslationRegistry.find(from: "lab:", to: "lab-order") == nil)
        #expect(TranslationRegistry.find(from: "lab-order", to: "lab:x-status") == nil)
        #expect(TranslationRegistry.choices.contains("lab:NAME-status → json"))
    }

    @Test func everyFixedTranslationHasItsOutputExtensionAndTheBundledMappingsExist() {
        for translation in TranslationRegistry.fixed {
            #expect(translation.outputExtension?.isEmpty == false, "\(translation)")
            if case .tree(let bundled?, _) = translation.kind {
                #expect(FileManager.default.fileExists(atPath: Fixtures.mappings.appendingPathComponent(bundled).path))
            }
        }
    }

    @Test func aPreparedLabTranslationRunsManyTimesAndKnowsItsExtension() throws {
        let translation = try #require(TranslationRegistry.find(from: "lab-order", to: "lab:example-xml"))
        let prepared = try PreparedTranslation(translation, settings: .init(mappingsDirectory: Fixtures.mappings.path))
        #expect(prepared.outputExtension == "xml")
        for _ in 0..<2 {
            var input = MemoryInput(try Fixtures.bytes("labs/example-xml/01-single-crown.input.jsonl"))
            var output = MemoryOutput()
            let summary = try prepared.run(input: &input, output: &output) { _ in }
            #expect(summary.translated == 1)
            #expect(output.bytes == (try Fixtures.bytes("labs/example-xml/01-single-crown.xml")))
        }
    }

    @Test func whatATranslationNeedsIsRequiredWhenItIsPrepared() throws {
        let status = try #require(TranslationRegistry.find(from: "lab:example-rest-status", to: "json"))
        #expect(throws: BridgeError.self) {
            try PreparedTranslation(status, settings: .init(mappingsDirectory: Fixtures.mappings.path))
        }
        let xml = try #require(TranslationRegistry.find(from: "xml", to: "json"))
        #expect(throws: BridgeError.self) {
            try PreparedTranslation(xml, settings: .init(mappingsDirectory: Fixtures.mappings.path))
        }
        let lab = try #require(TranslationRegistry.find(from: "lab-order", to: "lab:no-such-lab"))
        #expect(throws: BridgeError.self) {
            try PreparedTranslation(lab, settings: .init(mappingsDirectory: Fixtures.mappings.path))
        }
    }
}
