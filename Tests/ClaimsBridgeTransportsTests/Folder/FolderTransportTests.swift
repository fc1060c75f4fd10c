import ClaimsBridge
import ClaimsBridgeTransports
import Foundation
import Testing

@Suite("Folder transport")
struct FolderTransportTests {
    @Test("Writes the file under its pattern name, then the done-marker, and leaves no temporary file")
    func writes() async throws {
        let folder = try makeScratchFolder("folder")
        let transport = try FolderTransport(directory: folder, namePattern: "eob-{name}-{key}", doneMarkerSuffix: ".ok")
        let delivery = OutgoingDelivery(
            idempotencyKey: "a1", payload: Array("x".utf8), metadata: ["fileName": "/in/batch 7.json"])
        let receipt = try await transport.deliver(delivery)
        #expect(receipt.location == folder + "/eob-batch_7.json-a1")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["eob-batch_7.json-a1", "eob-batch_7.json-a1.ok"])
    }

    @Test("A re-delivery finds its own file; a different file under the name is a permanent conflict")
    func neverOverwrites() async throws {
        let folder = try makeScratchFolder("folder")
        let transport = try FolderTransport(directory: folder)
        let first = try await transport.deliver(OutgoingDelivery(idempotencyKey: "a1", payload: [1, 2]))
        let again = try await transport.deliver(OutgoingDelivery(idempotencyKey: "a1", payload: [1, 2], attempt: 2))
        #expect(!first.alreadyPresent && again.alreadyPresent)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.deliver(OutgoingDelivery(idempotencyKey: "a1", payload: [9]))
        }
        #expect(error?.code == .conflict && error?.isRetryable == false)
        #expect(FileManager.default.contents(atPath: folder + "/a1") == Data([1, 2]))
    }

    @Test("Patterns without {key} or with a slash are refused", arguments: ["{name}.json", "sub/{key}", ".{key}"])
    func badPatterns(pattern: String) {
        #expect(throws: TransportError.self) { try FolderTransport(directory: "/tmp", namePattern: pattern) }
    }
}
