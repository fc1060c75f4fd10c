import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Reading a request body within the service's limits: its media type (415), its size (413, told early by
/// `Content-Length` or found while reading) and the time it takes to arrive (408).
enum ServiceBody {
    /// The body's bytes.
    /// - Parameter accepted: the media types (without parameters) the endpoint takes.
    /// - Throws: ``Problem`` 415, 413 or 408.
    static func read(
        _ request: Request, accepting accepted: [String], limits: ServiceLimits, deadlines: BodyDeadlines
    ) async throws -> [UInt8] {
        let mediaType = request.headers[.contentType].map(Self.mediaType) ?? ""
        guard accepted.contains(mediaType) else {
            let given = mediaType.isEmpty ? "no Content-Type" : "Content-Type \(mediaType)"
            throw Problem(
                .unsupportedMediaType, code: "unsupportedMediaType",
                "this request body must be sent as \(accepted.joined(separator: " or ")); it came with \(given)")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.maximumBodyBytes {
            throw tooLarge(limits)
        }
        let body = request.body
        let limit = limits.maximumBodyBytes
        let timeout = limits.bodyTimeoutSeconds
        let reading = Task { try await body.collect(upTo: limit) }
        let timedOut = TimedOut()
        let watch = deadlines.watch(seconds: timeout) {
            timedOut.set()
            reading.cancel()
        }
        defer { deadlines.forget(watch) }
        let buffer: ByteBuffer
        do {
            buffer = try await withTaskCancellationHandler {
                try await reading.value
            } onCancel: {
                reading.cancel()
            }
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge(limits)
        } catch  where timedOut.isSet {
            throw Problem(
                .requestTimeout, code: "requestTimeout",
                "the request body did not arrive within \(Int(timeout)) s; send it again")
        }
        return Array(buffer.readableBytesView)
    }

    /// `application/json; charset=utf-8` → `application/json`.
    static func mediaType(_ value: String) -> String {
        let bare = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        return bare.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Whether the deadline passed before the body arrived.
    private final class TimedOut: Sendable {
        private let flag = Mutex(false)
        func set() { flag.withLock { $0 = true } }
        var isSet: Bool { flag.withLock { $0 } }
    }

    private static func tooLarge(_ limits: ServiceLimits) -> Problem {
        Problem(
            .contentTooLarge, code: "contentTooLarge",
            "the request body is larger than the \(limits.maximumBodyBytes) bytes the service accepts; send fewer messages per request"
        )
    }
}
