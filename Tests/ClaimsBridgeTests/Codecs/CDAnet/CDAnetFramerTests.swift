import ClaimsBridgeTestSupport
import Testing

@testable import ClaimsBridge

/// The framer finds the same messages however the input is chunked.
@Suite struct CDAnetFramerTests {
    static let batch: [UInt8] = {
        let files =
            Fixtures.files(in: "cdanet/v04", withExtension: "txt")
            + Fixtures.files(in: "cdanet/v02", withExtension: "txt")
        return files.flatMap { (try? Fixtures.bytes($0)) ?? [] }
    }()

    @Test(arguments: [1, 2, 3, 5, 7, 13, 64, 500, 4096])
    func chunkSizeDoesNotChangeTheOutput(_ chunkSize: Int) throws {
        let whole = try Translate.cdanet(Self.batch)
        let dripped = try Translate.cdanet(Self.batch, chunkSize: chunkSize, readSize: chunkSize)
        #expect(dripped.output == whole.output)
        #expect(dripped.rejects.isEmpty)
        #expect(dripped.summary == whole.summary)
    }

    @Test func randomChunkSizes() throws {
        var generator = SystemRandomNumberGenerator()
        let whole = try Translate.cdanet(Self.batch).output
        for _ in 0..<20 {
            let size = Int.random(in: 1...300, using: &generator)
            #expect(try Translate.cdanet(Self.batch, chunkSize: size, readSize: 1024).output == whole)
        }
    }

    @Test func crlfBetweenMessagesIsTolerated() throws {
        let run = try Translate.cdanet(try Fixtures.bytes("cdanet/v04/multi-crlf.stream"), chunkSize: 3)
        #expect(run.rejects.isEmpty)
        #expect(run.summary.translated == 3)
    }

    @Test func invalidInputAtEveryChunkSizeReportsTheSameRejects() throws {
        for name in ["length-mismatch", "trailing-garbage", "unknown-version", "truncated-message"] {
            let input = try Fixtures.bytes("cdanet/invalid/\(name).txt")
            let whole = try Translate.cdanet(input)
            for size in [1, 7, 100] {
                let dripped = try Translate.cdanet(input, chunkSize: size, readSize: size)
                #expect(dripped.output == whole.output, "\(name) at \(size)")
                #expect(
                    dripped.rejects.map(\.messageOffset) == whole.rejects.map(\.messageOffset), "\(name) at \(size)")
                #expect(dripped.rejects.map(\.original) == whole.rejects.map(\.original), "\(name) at \(size)")
            }
        }
    }

    @Test func memoryStaysBoundedByOneMessage() throws {
        var framer = CDAnetFramer(catalog: Fixtures.catalog)
        var largest = 0
        var count = 0
        for _ in 0..<200 {
            Self.batch.withUnsafeBytes { framer.append($0) }
            largest = max(largest, framer.bufferedByteCount)
            while framer.next(isFinal: false) != nil { count += 1 }
        }
        while framer.next(isFinal: true) != nil { count += 1 }
        #expect(count == 200 * 35)
        #expect(largest < 2 * Self.batch.count)
    }
}
