import ClaimsBridge
import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridgeTransports

@Suite("Long file names")
struct LongFileNameTests {
    static let names = [192, 241, 255].map { longFileName($0) } + ["é", "日", "🦷"].map { longFileName(255, unit: $0) }

    @Test(
        "A shortened name fits, keeps its extension, cuts on a character boundary and stays distinct",
        arguments: names)
    func fitting(name: String) throws {
        for limit in [40, 100, 200, 255] {
            let short = FileNameLength.fitting(name, maxBytes: limit)
            #expect(short.utf8.count <= limit)
            #expect(short.hasSuffix(".txt"))
            #expect(!short.unicodeScalars.contains("\u{FFFD}"), "a character was split: \(short)")
            #expect(FileNameLength.fitting(name, maxBytes: limit) == short)
            if name.utf8.count <= limit { #expect(short == name) }
        }
        let other = String(name.dropLast(5)) + "z.txt"
        #expect(FileNameLength.fitting(other, maxBytes: 100) != FileNameLength.fitting(name, maxBytes: 100))
    }

    @Test(
        "A file with a long original name is delivered under a shortened name with its key and extension",
        arguments: names)
    func delivers(name: String) async throws {
        let folder = try makeScratchFolder("long")
        let transport = try FolderTransport(
            directory: folder, namePattern: "{name}-{key}.out", doneMarkerSuffix: ".done")
        let key = "claims-" + String(repeating: "0123456789abcdef", count: 2)
        let delivery = OutgoingDelivery(idempotencyKey: key, payload: Array("x".utf8), metadata: ["fileName": name])
        let receipt = try await transport.deliver(delivery)
        let delivered = (receipt.location as NSString).lastPathComponent
        #expect(delivered.utf8.count + ".done".utf8.count <= FileNameLength.limit)
        #expect(delivered.hasSuffix("-\(key).out") && delivered.hasPrefix("aaa") == name.hasPrefix("a"))
        #expect(FileManager.default.contents(atPath: receipt.location) == Data("x".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == [delivered, delivered + ".done"])
        let again = try await transport.deliver(delivery)
        #expect(again.alreadyPresent && again.location == receipt.location)
    }

    @Test("A name the file system refuses is a permanent failure, not retried")
    func nameTooLongIsPermanent() throws {
        let folder = try makeScratchFolder("long")
        let error = #expect(throws: TransportError.self) {
            _ = try AtomicFileWriter(directory: folder).writeNew(name: String(repeating: "n", count: 300), bytes: [1])
        }
        #expect(error?.isRetryable == false, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}
