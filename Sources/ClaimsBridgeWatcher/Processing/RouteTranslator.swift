import ClaimsBridge
import Foundation
import Logging

/// Runs a route's translation over one claimed file, streaming from the file into memory. The translation is
/// the library's (``PreparedTranslation``), prepared once for the route.
struct RouteTranslator {
    let translation: Route.Translation
    let logger: Logger
    /// Nil when the route delivers files as they are.
    private let prepared: PreparedTranslation?

    init(route: Route, resources: TranslationResources, logger: Logger) throws {
        translation = route.translation
        self.logger = logger
        prepared = try resources.prepare(route, logger: logger)
    }

    /// What one translation produced.
    struct Outcome {
        var summary = TranslationSummary()
        /// Rejected messages, in input order, with their original bytes.
        var rejects: [RejectedMessage] = []
        /// A failure of the whole file (unreadable, empty, nothing could be translated).
        var failure: String?
        /// The translated bytes (they are stored in the outbox, so they are held in memory).
        var output: [UInt8] = []
    }

    /// Translates the file at `inputPath`.
    func translate(inputPath: String) throws -> Outcome {
        let inputDescriptor = open(inputPath, O_RDONLY)
        guard inputDescriptor >= 0 else { throw DurableFiles.failure("cannot read", inputPath) }
        defer { close(inputDescriptor) }
        var input = FileDescriptorInput(descriptor: inputDescriptor, name: inputPath)
        var output = MemoryOutput()
        var outcome = Outcome()
        let collect: (RejectedMessage) throws -> Void = { outcome.rejects.append($0) }
        do {
            if let prepared {
                outcome.summary = try prepared.run(input: &input, output: &output, onReject: collect)
            } else {
                try copy(&input, to: &output)
                outcome.summary.messages = 1
                outcome.summary.translated = 1
            }
        } catch let error as BridgeError {
            outcome.failure = error.description
            return outcome
        }
        outcome.output = output.bytes
        if outcome.summary.messages == 0 {
            outcome.failure = "the file holds no message"
        } else if outcome.summary.translated == 0 {
            let count = outcome.summary.messages
            outcome.failure =
                count == 1 ? "its only message could not be translated" : "none of its \(count) messages could be translated"
        }
        return outcome
    }

    private func copy(_ input: inout FileDescriptorInput, to output: inout MemoryOutput) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try input.read(into: buffer)
            if count == 0 { return }
            try output.write(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
