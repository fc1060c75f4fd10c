import Foundation

/// A damaged message can decode with the bytes of a whole message after it: cut short by about that message's
/// length, its text fields take the next message in. See Docs/robustness.md.
extension CDAnetFramer {
    /// For a message that decoded at `start..<end` and is followed by a header: where a whole message inside it
    /// starts, if one does. That message must carry the batch's transaction prefix (A01: this message's, the last
    /// good message's, or all spaces), decode, not be the one this message embeds (`embeddedAt`, or one its
    /// damaged structure would embed), and end where this one ends or where a header with the batch's prefix
    /// starts (the next message, damaged). A text field of a real message does not hold a whole CDAnet message
    /// with its header and matching length, so such a message was cut short and the one inside is the next.
    /// Every good message is searched, so only the positions of a prefix's first byte (`memchr`) and the ends of
    /// runs of 12 spaces are looked at.
    func wholeMessageInside(
        from start: Int, to end: Int, embeddedAt: Int?, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Int? {
        guard let base = bytes.baseAddress, end - start >= 44 else { return nil }
        let space = UInt8(ascii: " ")
        let last = end - 22
        // Prefixes with something to say: this message's, the batch's.
        let own = bytes[start]
        let batch = lastPrefix.count == 12 ? lastPrefix[0] : own
        var found = firstWholeMessage(startingWith: own, from: start, to: end, embeddedAt: embeddedAt, bytes)
        if batch != own, let other = firstWholeMessage(startingWith: batch, from: start, to: end, embeddedAt: embeddedAt, bytes) {
            found = min(found ?? other, other)
        }
        // Blank prefixes: the last 12 bytes of a run of at least 12 spaces, which holds every 12th byte.
        let eightSpaces: UInt64 = 0x2020_2020_2020_2020
        var sample = start + 22 + 11
        while sample + 22 <= end + 11 {
            guard bytes[sample] == space else {
                sample += 12
                continue
            }
            var runEnd = sample + 1
            while runEnd + 8 <= end, UnsafeRawPointer(base + runEnd).loadUnaligned(as: UInt64.self) == eightSpaces {
                runEnd += 8
            }
            while runEnd < end, bytes[runEnd] == space { runEnd += 1 }
            var runStart = sample
            while runEnd - runStart < 12, runStart > start, bytes[runStart - 1] == space { runStart -= 1 }
            let x = runEnd - 12
            if let found, found < x { break }
            if runEnd - runStart >= 12, x >= start + 22, x <= last, x != embeddedAt,
                isWholeMessage(at: x, in: start, end, bytes)
            {
                found = x
                break
            }
            sample = max(runEnd + 1, sample + 12)
        }
        return found
    }

    /// The first position holding `first` where a whole message (``isWholeMessage(at:in:_:_:)``) starts.
    private func firstWholeMessage(
        startingWith first: UInt8, from start: Int, to end: Int, embeddedAt: Int?, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Int? {
        guard first != UInt8(ascii: " "), let base = bytes.baseAddress else { return nil }
        let last = end - 22
        var from = start + 22
        while from <= last, let hit = memchr(base + from, Int32(first), last + 1 - from) {
            let x = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if x != embeddedAt, isWholeMessage(at: x, in: start, end, bytes) { return x }
            from = x + 1
        }
        return nil
    }

    /// Whether a whole message with the batch's prefix starts at `x`, ends at `end` or where a header with the
    /// batch's prefix starts, decodes, and is not embedded in the message at `start`.
    private func isWholeMessage(at x: Int, in start: Int, _ end: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes[x + 18] &- UInt8(ascii: "0") < 10, bytes[x + 19] &- UInt8(ascii: "0") < 10,
            samePrefix(x, as: start, bytes) || hasBlankPrefix(x, bytes),
            case .message(let mapping, let length) = candidate(at: x, bytes, isFinal: true, decoding: false)
        else { return false }
        let innerEnd = x + length
        if innerEnd != end {
            guard innerEnd + 22 <= end, samePrefix(innerEnd, as: start, bytes),
                case .message = candidate(at: innerEnd, bytes, isFinal: true, decoding: false)
            else { return false }
        }
        guard case .message = candidate(at: x, bytes, isFinal: true) else { return false }
        return !isEmbedded(at: x, length: length, layout: mapping.layout, bytes)
    }
}
