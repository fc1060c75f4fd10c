/// Finding where a damaged message ends and the next one starts.
///
/// A damaged frame is one reject. It ends, in this order of preference: where its own structure (count, flag
/// and length fields, read without trusting A07) ends, when the next message starts there; otherwise at the
/// first header inside its claimed span (or, for bytes with no readable header, within one reject piece)
/// whose whole message decodes and is not the message embedded in the damaged one (G40).
extension CDAnetFramer {
    /// Whether something holds at a position, or more input is needed to tell.
    enum Probe { case yes, no, needMore }

    /// A position where a complete, decodable message starts, or not.
    enum Candidate {
        case message(Mapping, length: Int)
        case no
        case needMore
    }

    /// Reports the damaged frame at `start` (with `error`) once its end is known.
    /// - Parameters:
    ///   - claimedEnd: where the frame's length field says it ends, when it says so.
    ///   - layout: the layout its version and transaction code name, when they name one.
    mutating func recover(
        _ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool, error: BridgeError, claimedEnd: Int?, layout: RecordLayout?
    ) -> Frame? {
        if damageStart == nil { damageStart = bufferOffset + start }
        if let layout {
            let limit = min(bytes.count - start, maximumMessageLength)
            let structure = FixedWidthDecoder(layout: layout).structuralEnd(
                of: UnsafeBufferPointer(rebasing: bytes[start..<(start + limit)]), scratch: scratch)
            switch structure {
            case .length(let length) where length >= 22 && start + length != claimedEnd:
                switch boundary(at: start + length, bytes, isFinal: isFinal) {
                case .yes: return reject(length, error)
                case .needMore: return nil
                case .no: break
                }
            case .runsPast where !isFinal && claimedEnd == nil && limit < maximumMessageLength:
                return nil
            default:
                break
            }
        }
        let searchEnd = claimedEnd.map { $0 + Self.slack } ?? (start + maximumRejectLength)
        var x = max(start + 1, searchedUpTo - bufferOffset)
        while x < searchEnd, x + 22 <= bytes.count {
            switch candidate(at: x, bytes, isFinal: isFinal) {
            case .no:
                x += 1
            case .needMore:
                searchedUpTo = bufferOffset + x
                return nil
            case .message(let mapping, let length):
                if !isEmbedded(at: x, length: length, layout: mapping.layout, bytes) { return reject(x - start, error) }
                x += length
            }
        }
        if x >= searchEnd { return reject(min(max(claimedEnd ?? searchEnd, x), bytes.count) - start, error) }
        guard isFinal else {
            searchedUpTo = bufferOffset + x
            return nil
        }
        return reject(bytes.count - start, error)
    }

    /// Whether a damaged frame can end at `index`: only CR/LF and then the end of the input or a message.
    func boundary(at index: Int, _ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool) -> Probe {
        var next = index
        while next < bytes.count, bytes[next] == 0x0D || bytes[next] == 0x0A { next += 1 }
        if next >= bytes.count { return isFinal ? .yes : .needMore }
        switch candidate(at: next, bytes, isFinal: isFinal) {
        case .message: return .yes
        case .no: return .no
        case .needMore: return .needMore
        }
    }

    /// Whether a complete message that decodes starts at `x`: digits in A02, a known version and transaction
    /// code, a length in range, and every field valid.
    func candidate(at x: Int, _ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool) -> Candidate {
        guard x + 22 <= bytes.count else { return isFinal ? .no : .needMore }
        guard let version = twoDigits(bytes, x + 18), let transaction = twoDigits(bytes, x + 20),
            let mapping = catalog.mapping(version: version, transaction: transaction)
        else { return .no }
        for i in (x + 12)..<(x + 18) where !bytes[i].isDigit { return .no }
        let layout = mapping.layout
        guard x + layout.lengthFieldOffset + layout.lengthFieldWidth <= bytes.count else {
            return isFinal ? .no : .needMore
        }
        guard let length = number(bytes, x + layout.lengthFieldOffset, layout.lengthFieldWidth),
            length >= layout.minimumLength, length <= maximumMessageLength
        else { return .no }
        guard x + length <= bytes.count else { return isFinal ? .no : .needMore }
        let message = UnsafeBufferPointer(rebasing: bytes[x..<(x + length)])
        guard (try? FixedWidthDecoder(layout: layout).decode(message, baseOffset: 0, into: scratch)) != nil else {
            return .no
        }
        return .message(mapping, length: length)
    }

    /// Whether the message at `x` is the embedded message (G40, always the last field) of the damaged message
    /// at the start of this frame or of the current run of damaged frames: that message's structure ends
    /// exactly with it, or that message's length field, read loosely, says so.
    func isEmbedded(at x: Int, length: Int, layout: RecordLayout, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let end = x + length
        var origins = [start]
        if let damageStart, damageStart - bufferOffset >= 0, damageStart - bufferOffset < start {
            origins.append(damageStart - bufferOffset)
        }
        for origin in origins where end - origin <= maximumMessageLength {
            let outer = UnsafeBufferPointer(rebasing: bytes[origin..<end])
            for candidateLayout in embeddingLayouts(at: origin, bytes) {
                let structure = FixedWidthDecoder(layout: candidateLayout).structuralEnd(of: outer, scratch: scratch)
                if structure == .length(outer.count), scratch.spanCount > 0,
                    Int(scratch.spanOffset[scratch.spanCount - 1]) == x - origin
                {
                    return true
                }
            }
            if lengthField(at: origin + layout.lengthFieldOffset, width: layout.lengthFieldWidth, bytes, roughly: end - origin) {
                return true
            }
        }
        return false
    }

    /// The layouts that could hold a message embedded at their end, for a damaged message at `origin`: the one
    /// its header names, or every one when the header is unreadable.
    private func embeddingLayouts(at origin: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> [RecordLayout] {
        if origin + 22 <= bytes.count, let version = twoDigits(bytes, origin + 18),
            let transaction = twoDigits(bytes, origin + 20),
            let mapping = catalog.mapping(version: version, transaction: transaction)
        {
            return mapping.layout.endsWithEmbeddedMessage ? [mapping.layout] : []
        }
        return catalog.embeddingLayouts
    }

    /// Whether the length field at `index` says `value` give or take 10 bytes (bytes inserted or deleted, the
    /// last digit changed), with at most one of its characters unreadable.
    private func lengthField(at index: Int, width: Int, _ bytes: UnsafeBufferPointer<UInt8>, roughly value: Int) -> Bool {
        guard index + width <= bytes.count else { return false }
        var unreadable = 0
        for i in index..<(index + width) where !bytes[i].isDigit { unreadable += 1 }
        guard unreadable <= 1 else { return false }
        for target in max(0, value - 10)...(value + 10) {
            var rest = target
            var matches = true
            for i in stride(from: index + width - 1, through: index, by: -1) {
                let digit = rest % 10
                rest /= 10
                if bytes[i].isDigit, Int(bytes[i] &- UInt8(ascii: "0")) != digit {
                    matches = false
                    break
                }
            }
            if matches && rest == 0 { return true }
        }
        return false
    }
}

extension RecordLayout {
    /// Whether the last field holds an embedded message (G40).
    package var endsWithEmbeddedMessage: Bool { fields.last?.isEmbedded == true }
}
