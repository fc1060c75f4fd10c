import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// The zip writer's archives open with a standard unzip implementation (Python's zipfile) and hold the bytes.
@Suite struct ZipArchiveOutputTests {
    @Test func archiveHoldsTheBatch() throws {
        let batch = try Fixtures.bytes("ramq/many-claims.xml")
        var zip = ZipArchiveOutput(
            MemoryOutput(), entryName: "claims20240105.xml", modified: CalendarDate("2024-01-05"))
        for chunk in stride(from: 0, to: batch.count, by: 100) {
            try Array(batch[chunk..<min(chunk + 100, batch.count)]).withUnsafeBytes { try zip.write($0) }
        }
        try zip.finish()
        let archive = zip.output.bytes
        #expect(Array(archive.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cb-\(UUID().uuidString).zip")
        try Data(archive).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = [
            "python3", "-c",
            "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; i=z.infolist()[0]; print(i.filename, i.date_time[:3]); sys.stdout.flush(); sys.stdout.buffer.write(z.read(i))",
            file.path,
        ]
        let pipe = Pipe()
        python.standardOutput = pipe
        try python.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let header = Array("claims20240105.xml (2024, 1, 5)\n".utf8)
        #expect(Array(output.prefix(header.count)) == header)
        #expect(Array(output.dropFirst(header.count)) == batch)
    }
}
