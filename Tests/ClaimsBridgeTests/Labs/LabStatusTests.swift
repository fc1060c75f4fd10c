import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Status updates from both example labs, applied to the known orders of `Fixtures/labs/orders.jsonl`.
@Suite struct LabStatusTests {
    static let ordersPath = Fixtures.url("labs/orders.jsonl").path

    static func run(_ lab: String, _ input: [UInt8], book: LabOrderBook, failFast: Bool = false) throws
        -> TranslationRun
    {
        let pipeline = try LabPartner(name: lab, mappings: Fixtures.mappings.path).statusReader(
            orders: book, failFast: failFast)
        return try PipelineRun.read(pipeline, input, chunkSize: 11)
    }

    @Test(arguments: [("example-rest", "status/updates", "jsonl"), ("example-xml", "status/notifications", "xml")])
    func sequencesGiveTheGoldenTransitionsAndRejects(_ lab: String, _ name: String, _ ext: String) throws {
        let base = "labs/\(lab)/\(name)"
        let book = try LabOrderBook(path: Self.ordersPath)
        let run = try Self.run(lab, try Fixtures.bytes("\(base).\(ext)"), book: book)
        let expected = try Fixtures.bytes("\(base).expected.jsonl")
        #expect(run.output == Array(expected))
        for line in run.output.split(separator: 0x0A) {
            _ = try JSONDecoder().decode(LabOrderStatusChange.self, from: Data(line))
        }
        let errors = run.rejects.map { String(decoding: $0.jsonLine, as: UTF8.self) + "\n" }.joined()
            .replacingOccurrences(of: Fixtures.root.path + "/", with: "")
        let expectedErrors = String(decoding: try Fixtures.bytes("\(base).expected-errors.jsonl"), as: UTF8.self)
        #expect(errors == expectedErrors)
        #expect(run.rejects.count == 4)
        #expect(run.summary.translated + run.summary.rejected == run.summary.messages)
    }

    @Test func rejectsNameTheOrderTheStatesAndKeepTheOriginalBytes() throws {
        let book = try LabOrderBook(path: Self.ordersPath)
        let input = try Fixtures.bytes("labs/example-rest/status/updates.jsonl")
        let run = try Self.run("example-rest", input, book: book)
        let lines = input.split(separator: 0x0A)
        #expect(run.rejects.map(\.messageNumber) == [5, 7, 9, 12])
        #expect(run.rejects.map(\.error.code) == [.illegalTransition, .unknownOrder, .invalidDate, .illegalTransition])
        for reject in run.rejects { #expect(reject.original == Array(lines[reject.messageNumber - 1])) }
        #expect(run.rejects[1].error.reason.contains("LO-9999"))
        #expect(book.order("LO-1001")?.status == .shipped)
        #expect(book.order("LO-1001")?.statusHistory.count == 6)
        #expect(book.order("LO-1003")?.status == .cancelled)
    }

    @Test func failFastStopsAtTheFirstReject() throws {
        let book = try LabOrderBook(path: Self.ordersPath)
        let run = try Self.run(
            "example-rest", try Fixtures.bytes("labs/example-rest/status/updates.jsonl"), book: book, failFast: true)
        #expect(run.rejects.count == 1)
        #expect(run.summary.translated == 4)
        #expect(run.summary.stoppedEarly)
    }

    @Test func theOrdersFileIsCheckedWithItsLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cb-orders-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        var lines = try Fixtures.bytes("labs/orders.jsonl")
        lines += Array(
            #"{"orderId":"LO-5","patient":{"chartReference":"C"},"items":[{"kind":"crown","teeth":[{"tooth":"99"}]}]}"#
                .utf8)
        try Data(lines).write(to: file)
        let error = try #require(throws: BridgeError.self) { try LabOrderBook(path: file.path) }
        #expect(error.location.line == 5)
        #expect(error.location.modelPath == "items[0].teeth[0].tooth")
        let twice = try Fixtures.bytes("labs/orders.jsonl") + Fixtures.bytes("labs/orders.jsonl")
        try Data(twice).write(to: file)
        #expect(throws: BridgeError.self) { try LabOrderBook(path: file.path) }
    }
}
