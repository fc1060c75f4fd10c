/// Checks the CDAnet reader's promises on a batch built from known messages, some damaged on purpose:
/// every byte is in exactly one frame (a message read or a reject), every undamaged message (a control) is
/// read exactly as it was, and no message is read that was not sent at the top level (an invented message,
/// such as the EOB embedded in a damaged COB claim).
///
/// Used by the mutation tests, the fuzz targets and the mutation survey in `Benchmarks/`.
public struct CDAnetBatchAudit {
    /// One message of the batch, as sent.
    public struct Segment: Sendable {
        public var bytes: [UInt8]
        /// True for an undamaged message that must be read back exactly.
        public var isControl: Bool
        /// For a damaged message, the message before it was damaged, when known (see
        /// ``Result/controlsLostAmbiguously``).
        public var original: [UInt8]?
        public init(bytes: [UInt8], isControl: Bool, original: [UInt8]? = nil) {
            self.bytes = bytes
            self.isControl = isControl
            self.original = original
        }
    }

    /// What the reader made of a batch.
    public struct Result: Sendable, Equatable {
        public var controls = 0
        public var controlsLost = 0
        /// Of ``controlsLost``, those whose loss no reader could avoid: the bytes of the control and of a damaged
        /// neighbour are also those of the neighbour sent intact (``Segment/original``) and the control damaged
        /// the way ``CDAnetMutator`` damages messages, and the reader read exactly that: the neighbour as sent,
        /// and the rest as not the control. The same bytes would be read the same way whichever batch was sent.
        public var controlsLostAmbiguously = 0
        public var damaged = 0
        /// Messages read where no message was sent: starting neither where a control starts nor within a few
        /// bytes of where a damaged message starts, such as a message embedded in a damaged one. (A damaged
        /// message read with the wrong length, or a control read with the wrong length, starts where a message
        /// was sent: it is not invented, and the control it overlaps is counted lost.)
        public var invented = 0
        public var messagesRead = 0
        public var rejects = 0
        /// Bytes in no frame, or in two (must be 0).
        public var unaccountedBytes = 0
        public var largestReject = 0
        /// The most bytes the framer held at once.
        public var largestBuffer = 0
        public init() {}

        /// Adds another batch's counts.
        public mutating func add(_ other: Result) {
            controls += other.controls
            controlsLost += other.controlsLost
            controlsLostAmbiguously += other.controlsLostAmbiguously
            damaged += other.damaged
            invented += other.invented
            messagesRead += other.messagesRead
            rejects += other.rejects
            unaccountedBytes += other.unaccountedBytes
            largestReject = max(largestReject, other.largestReject)
            largestBuffer = max(largestBuffer, other.largestBuffer)
        }
    }

    /// A control lost or a message invented, with the frames around it, for studying what the framer did.
    public struct Finding: Sendable {
        public enum Kind: String, Sendable { case controlLost = "control lost", invented = "invented message" }
        /// One frame: where it is relative to the batch, and for a reject its reason.
        public struct FrameNote: Sendable {
            public var offset: Int
            public var length: Int
            public var isMessage: Bool
            public var reason: String?
        }
        public var kind: Kind
        /// For a control lost: whether no reader could have read it (``Result/controlsLostAmbiguously``).
        public var isAmbiguous = false
        /// The segment lost, or the one the invented message starts in.
        public var segment: Int
        /// The offsets in the batch where each segment starts.
        public var segmentStart: Int
        /// The frames that overlap the segment and its neighbours.
        public var frames: [FrameNote]
    }

    /// How far from a damaged segment's start a message read from it may start (bytes inserted or deleted).
    public static let startTolerance = 8

    private let catalog: CDAnetCatalog

    public init(catalog: CDAnetCatalog) { self.catalog = catalog }

    /// Frames the concatenated segments, fed in chunks of `chunkSize` bytes, and checks the promises.
    /// - Parameter onFinding: called for each control lost and each message invented, when given.
    public func audit(
        _ segments: [Segment], chunkSize: Int = 64 * 1024, onFinding: ((Finding) -> Void)? = nil
    ) -> Result {
        var input: [UInt8] = []
        var starts: [Int] = []
        for segment in segments {
            starts.append(input.count)
            input += segment.bytes
        }
        var result = Result()
        result.controls = segments.filter(\.isControl).count
        result.damaged = segments.count - result.controls
        var readControls = Set<Int>()
        var notes: [Finding.FrameNote] = []
        var inventedAt: [(segment: Int, frame: Int)] = []
        var messagesAt: [(offset: Int, length: Int)] = []
        var framer = CDAnetFramer(catalog: catalog)
        var covered = 0
        var offset = 0
        var isFinal = false
        while !isFinal {
            let end = min(offset + max(chunkSize, 1), input.count)
            if end == offset {
                isFinal = true
            } else {
                input[offset..<end].withUnsafeBytes { framer.append($0) }
                offset = end
            }
            result.largestBuffer = max(result.largestBuffer, framer.bufferedByteCount)
            while let frame = framer.next(isFinal: isFinal) {
                while covered < frame.offset, input[covered] == 0x0D || input[covered] == 0x0A { covered += 1 }
                result.unaccountedBytes += abs(frame.offset - covered)
                covered = frame.offset + frame.length
                if onFinding != nil {
                    var reason: String?
                    if case .malformed(_, _, let error) = frame { reason = error.description }
                    notes.append(.init(offset: frame.offset, length: frame.length, isMessage: reason == nil, reason: reason))
                }
                switch frame {
                case .malformed:
                    result.rejects += 1
                    result.largestReject = max(result.largestReject, frame.length)
                case .message:
                    result.messagesRead += 1
                    messagesAt.append((frame.offset, frame.length))
                    let segment = Self.segment(containing: frame.offset, starts: starts)
                    if segments[segment].isControl, frame.offset == starts[segment],
                        frame.length == segments[segment].bytes.count
                    {
                        readControls.insert(segment)
                    } else if !Self.startsWhereAMessageWasSent(frame, segments, starts, near: segment) {
                        result.invented += 1
                        if onFinding != nil { inventedAt.append((segment, notes.count - 1)) }
                    }
                }
            }
        }
        result.unaccountedBytes += input.count - covered
        result.controlsLost = result.controls - readControls.count
        var ambiguous = Set<Int>()
        for segment in segments.indices where segments[segment].isControl && !readControls.contains(segment) {
            if Self.isLostAmbiguously(segment, segments, starts, input, messagesAt) { ambiguous.insert(segment) }
        }
        result.controlsLostAmbiguously = ambiguous.count
        if let onFinding {
            func finding(_ kind: Finding.Kind, _ segment: Int) -> Finding {
                let from = starts[max(0, segment - 1)]
                let to = segment + 2 < starts.count ? starts[segment + 2] : input.count
                let frames = notes.filter { $0.offset < to && $0.offset + $0.length > from }
                return Finding(
                    kind: kind, isAmbiguous: ambiguous.contains(segment), segment: segment, segmentStart: starts[segment],
                    frames: frames)
            }
            for segment in segments.indices where segments[segment].isControl && !readControls.contains(segment) {
                onFinding(finding(.controlLost, segment))
            }
            for (segment, _) in inventedAt { onFinding(finding(.invented, segment)) }
        }
        return result
    }

    /// Whether a message read starts where a message was sent: exactly where a control starts, or within
    /// ``startTolerance`` bytes of where a damaged message starts (whatever its length: a damaged message read
    /// as itself, perhaps with a few bytes of its neighbour, is not a message invented).
    private static func startsWhereAMessageWasSent(
        _ frame: CDAnetFramer.Frame, _ segments: [Segment], _ starts: [Int], near segment: Int
    ) -> Bool {
        for index in max(0, segment - 1)...min(segments.count - 1, segment + 1) {
            let distance = abs(frame.offset - starts[index])
            if segments[index].isControl ? distance == 0 : distance <= startTolerance { return true }
        }
        return false
    }

    /// Whether the lost control `control` and a damaged neighbour are, byte for byte, that neighbour as it was
    /// before the damage (read as a message) and, before or after it, the control with damage the survey makes:
    /// at most ``CDAnetMutator/maximumEdits`` bytes replaced, deleted or inserted, then perhaps its tail cut off.
    private static func isLostAmbiguously(
        _ control: Int, _ segments: [Segment], _ starts: [Int], _ input: [UInt8],
        _ messages: [(offset: Int, length: Int)]
    ) -> Bool {
        for neighbour in [control - 1, control + 1] where segments.indices.contains(neighbour) {
            guard !segments[neighbour].isControl, let original = segments[neighbour].original else { continue }
            let first = min(control, neighbour)
            let region = starts[first]..<(starts[first + 1] + segments[first + 1].bytes.count)
            for message in messages where message.length == original.count && region.contains(message.offset) {
                let read = message.offset..<(message.offset + message.length)
                guard read.upperBound <= region.upperBound, input[read].elementsEqual(original) else { continue }
                // The rest of the two segments, on one side of the message read, is the control damaged.
                let rest: ArraySlice<UInt8>
                if read.lowerBound == region.lowerBound {
                    rest = input[read.upperBound..<region.upperBound]
                } else if read.upperBound == region.upperBound {
                    rest = input[region.lowerBound..<read.lowerBound]
                } else {
                    continue
                }
                if !rest.isEmpty, CDAnetMutator.couldDamage(segments[control].bytes, into: rest) { return true }
            }
        }
        return false
    }

    private static func segment(containing offset: Int, starts: [Int]) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }
}

/// Damages messages the way transmission and editing do: bytes replaced, replaced by digits, deleted,
/// inserted, or the tail cut off. Deterministic for a given generator.
public enum CDAnetMutator {
    /// The most bytes changed, deleted or inserted in one message.
    public static let maximumEdits = 6
    /// The most bytes cut off a message's tail.
    public static let maximumCut = 200

    /// A copy of `message` with 1 to ``maximumEdits`` changes, and one time in ten up to ``maximumCut`` bytes
    /// of its tail cut off.
    public static func damage<G: RandomNumberGenerator>(_ message: [UInt8], using generator: inout G) -> [UInt8] {
        var bytes = message
        for _ in 0..<Int.random(in: 1...maximumEdits, using: &generator) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
            case 1: bytes[index] = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &generator)
            case 2: bytes.remove(at: index)
            case 3: bytes.insert(UInt8(ascii: " "), at: index)
            default: bytes[index] = UInt8(ascii: "X")
            }
        }
        if Int.random(in: 0..<10, using: &generator) == 0 {
            bytes.removeLast(Int.random(in: 0...min(bytes.count, maximumCut), using: &generator))
        }
        return bytes
    }

    /// Whether ``damage(_:using:)`` can turn `message` into `damaged`: `damaged` is, but for at most
    /// ``maximumEdits`` bytes replaced, deleted or inserted, the start of `message` with at most ``maximumCut``
    /// bytes (give or take the edits) of its tail missing.
    public static func couldDamage(_ message: [UInt8], into damaged: ArraySlice<UInt8>) -> Bool {
        let band = maximumEdits
        let damaged = Array(damaged)
        guard damaged.count <= message.count + band, damaged.count + maximumCut + band >= message.count else {
            return false
        }
        // Edit distance between `damaged` and each prefix of `message`, within a band of `band` around the diagonal.
        let unreachable = band + 1
        var previous = (0...message.count).map { $0 <= band ? $0 : unreachable }
        var current = previous
        for i in stride(from: 1, through: damaged.count, by: 1) {
            for j in 0...message.count {
                guard abs(i - j) <= band else {
                    current[j] = unreachable
                    continue
                }
                var best = previous[j] + 1
                if j > 0 {
                    best = min(best, current[j - 1] + 1, previous[j - 1] + (damaged[i - 1] == message[j - 1] ? 0 : 1))
                }
                current[j] = min(best, unreachable)
            }
            swap(&previous, &current)
        }
        // `previous` now holds the distances from all of `damaged` to each prefix of `message`.
        let shortest = max(0, message.count - maximumCut - band)
        return previous[shortest...].contains { $0 <= band }
    }
}

/// A small, fast, seedable random number generator (SplitMix64), so that a failing run can be repeated.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
