/// Finding where a damaged message ends and the next one starts.
///
/// A damaged frame is one reject. It ends at the first header inside its claimed span (or, for bytes with no
/// readable length, within one reject piece) whose whole message decodes, or which carries the same
/// transaction prefix (A01), and which is not the message embedded in the damaged one (G40); else at its
/// claimed end. A message that decodes but is followed by no header is checked the same way, since a text
/// field can swallow the start of the next message. See Docs/robustness.md.
extension CDAnetFramer {
    /// A position where a complete, decodable message starts, or not.
    enum Candidate {
        case message(Mapping, length: Int)
        case no
        case needMore
    }

    /// Reports the damaged frame at `start` (with `error`) once its end is known: the first message inside
    /// its claimed span (or a few bytes past it), else the claimed end; without a claimed span, the first
    /// message within one reject piece.
    /// - Parameter claimedEnd: where the frame's length field says it ends, when it says so.
    mutating func recover(
        _ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool, error: BridgeError, claimedEnd: Int?
    ) -> Frame? {
        if damageStart == nil { damageStart = bufferOffset + start }
        let searchEnd = claimedEnd.map { $0 + Self.slack } ?? (start + maximumRejectLength)
        var x = max(start + 1, searchedUpTo - bufferOffset)
        while x < searchEnd, x + 22 <= bytes.count {
            switch candidate(at: x, bytes, isFinal: isFinal) {
            case .no:
                break
            case .needMore:
                searchedUpTo = bufferOffset + x
                return nil
            case .message(let mapping, let length):
                if !isEmbedded(at: x, length: length, layout: mapping.layout, bytes) { return reject(x - start, error) }
            }
            // A damaged next message with the same prefix, inside the claimed span.
            if claimedEnd != nil, samePrefix(x, as: start, bytes),
                case .message(let mapping, let length) = candidate(at: x, bytes, isFinal: isFinal, decoding: false),
                x + length <= bytes.count, !isEmbedded(at: x, length: length, layout: mapping.layout, bytes)
            {
                return reject(x - start, error)
            }
            x += 1
        }
        if x >= searchEnd { return reject(min(claimedEnd ?? searchEnd, bytes.count) - start, error) }
        guard isFinal else {
            searchedUpTo = bufferOffset + x
            return nil
        }
        return reject(bytes.count - start, error)
    }

    /// For a message that decoded at `start..<end`: where the next message starts inside it, when the bytes
    /// after it do not look like a header. Text fields accept almost anything, so a message missing bytes
    /// (deleted, or its tail cut off) can decode by swallowing the start of the next one. The next one is a
    /// header whose message decodes, or a header with the same transaction prefix (A01); its own embedded
    /// message (`embeddedAt`, or where a shifted one would be) does not count. Within the last few bytes,
    /// where a message missing bytes from its own prefix would also decode, only the same prefix counts.
    /// `needMore` when more input is needed to tell.
    func overlappingMessage(
        after end: Int, from start: Int, embeddedAt: Int?, _ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool
    ) -> (start: Int?, needMore: Bool) {
        var next = end
        while next < bytes.count, bytes[next] == 0x0D || bytes[next] == 0x0A { next += 1 }
        if next >= bytes.count {
            if !isFinal { return (nil, true) }
        } else {
            switch candidate(at: next, bytes, isFinal: isFinal, decoding: false) {
            case .message(_, let length):
                // A header with the sender's prefix is the next message, even damaged. Another header counts
                // when its message decodes: a few bytes into a message's header, digits can look like a
                // header too (A02 and a version and transaction code), when this one swallowed those bytes.
                if samePrefix(next, as: start, bytes) || length > maximumRejectLength {
                    return (wholeMessageInside(from: start, to: end, embeddedAt: embeddedAt, bytes), false)
                }
                switch candidate(at: next, bytes, isFinal: isFinal) {
                case .message: return (wholeMessageInside(from: start, to: end, embeddedAt: embeddedAt, bytes), false)
                case .needMore: return (nil, true)
                case .no: break
                }
            case .needMore: return (nil, true)
            case .no: break
            }
        }
        for x in (start + 22)..<end where x != embeddedAt {
            let sameSender = samePrefix(x, as: start, bytes)
            guard case .message(let mapping, let length) = candidate(at: x, bytes, isFinal: isFinal, decoding: false)
            else {
                // The next message's prefix, its header damaged.
                if sameSender && x < (embeddedAt ?? end) - Self.slack { return (x, false) }
                continue
            }
            if x >= end - Self.slack && !sameSender {
                // A next message with a blank prefix whose first spaces this one took as its own padding counts,
                // when it decodes and is followed by a header (or the end of the input).
                guard hasBlankPrefix(x, bytes), (x..<end).allSatisfy({ bytes[$0] == UInt8(ascii: " ") }) else {
                    continue
                }
                switch candidate(at: x, bytes, isFinal: isFinal) {
                case .message:
                    if !isEmbedded(at: x, length: length, layout: mapping.layout, bytes) { return (x, false) }
                case .needMore: return (nil, true)
                case .no: break
                }
                continue
            }
            switch candidate(at: x, bytes, isFinal: isFinal) {
            case .message:
                if !isEmbedded(at: x, length: length, layout: mapping.layout, bytes) { return (x, false) }
            case .needMore:
                return (nil, true)
            case .no:
                // A damaged next message, recognisable by its header and prefix.
                if sameSender, x + length <= bytes.count,
                    !isEmbedded(at: x, length: length, layout: mapping.layout, bytes)
                {
                    return (x, false)
                }
            }
        }
        return (nil, false)
    }

    /// Whether the transaction prefix (A01) at `index` is all spaces.
    func hasBlankPrefix(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        index + 12 <= bytes.count && (index..<(index + 12)).allSatisfy { bytes[$0] == UInt8(ascii: " ") }
    }

    /// Whether the transaction prefix (A01, 12 bytes) at `index` is the one at `other` or the last good
    /// message's. A prefix with fewer than 6 characters other than spaces and zeros says nothing.
    func samePrefix(_ index: Int, as other: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard index + 12 <= bytes.count else { return false }
        var sameAsOther = true
        var sameAsLast = lastPrefix.count == 12
        var telling = 0
        for i in 0..<12 {
            let byte = bytes[index + i]
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "0") { telling += 1 }
            if byte != bytes[other + i] { sameAsOther = false }
            if sameAsLast, byte != lastPrefix[i] { sameAsLast = false }
        }
        return telling >= 6 && (sameAsOther || sameAsLast)
    }

    /// Whether a complete message that decodes starts at `x`: digits in A02, a known version and transaction
    /// code, a length in range, and every field valid.
    /// - Parameter decoding: false to check the header only.
    func candidate(at x: Int, _ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool, decoding: Bool = true) -> Candidate {
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
        guard decoding else { return .message(mapping, length: length) }
        guard x + length <= bytes.count else { return isFinal ? .no : .needMore }
        let message = UnsafeBufferPointer(rebasing: bytes[x..<(x + length)])
        guard (try? FixedWidthDecoder(layout: layout).decode(message, baseOffset: 0, into: scratch)) != nil else {
            return .no
        }
        return .message(mapping, length: length)
    }

    /// Whether the message at `x` is the embedded message (G40, always the last field) of the damaged message
    /// at the start of this frame or of the current run of damaged frames. That message must be able to embed
    /// one and have room for its fixed fields before `x`, and its structure ends exactly with this message (as
    /// read, or with a few bytes inserted or deleted before a count field undone); or its embedded-length field
    /// (G39), where its structure puts it give or take a few bytes, says this message's length; or its length
    /// field (A07) says it ends with this message and its G39, near its place, says this message's length
    /// (one byte unreadable, or one digit off when A07 is exact); or it shares with the damaged message what an
    /// embedded message shares with its carrier, starts where the carrier's structure puts it and ends where the
    /// carrier says it ends (``sharesItsCarrierAndEnd``). See Docs/robustness.md.
    func isEmbedded(at x: Int, length: Int, layout: RecordLayout, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let end = x + length
        // What a message embeds is an answer: a COB claim carries the primary carrier's EOB, a response the EOB
        // it comes with. A request is never embedded.
        guard end <= bytes.count, !layout.isRequest else { return false }
        var origins = [start]
        if let damageStart, damageStart - bufferOffset >= 0, damageStart - bufferOffset < start {
            origins.append(damageStart - bufferOffset)
        }
        // Headers of embedding messages swallowed by the damage so far.
        var index = max(origins.min()!, end - maximumMessageLength)
        while index + 22 <= x {
            if index != start, let version = twoDigits(bytes, index + 18), let transaction = twoDigits(bytes, index + 20),
                catalog.mapping(version: version, transaction: transaction)?.layout.endsWithEmbeddedMessage == true
            {
                origins.append(index)
            }
            index += 1
        }
        for origin in origins where end - origin <= maximumMessageLength {
            let outer = UnsafeBufferPointer(rebasing: bytes[origin..<end])
            let (layouts, named) = embeddingLayouts(at: origin, bytes)
            for outerLayout in layouts {
                // The fields before G40 need at least the layout's minimum length (a few bytes may be deleted).
                guard x - origin >= outerLayout.minimumLength - Self.slack else { continue }
                let structure = FixedWidthDecoder(layout: outerLayout).structuralEnd(of: outer, scratch: scratch)
                if structure == .length(outer.count), scratch.spanCount > 0,
                    Int(scratch.spanOffset[scratch.spanCount - 1]) == x - origin
                {
                    return true
                }
                // A layout the header does not name (its version or transaction code damaged) counts by its
                // structure (its walk, or A07 and G39 with the walk placing G40): the looser signs would find an
                // embedded message in many a damaged message.
                if named {
                    if embeddedLengthField(of: outerLayout, origin: origin, before: x, bytes, says: length) { return true }
                    if statedLength(of: outerLayout, origin: origin, before: x, bytes, isAbout: outer.count),
                        embeddedLengthNearItsPlace(
                            of: outerLayout, origin: origin, before: x, bytes, roughly: length, outerLength: outer.count)
                    {
                        return true
                    }
                    if lengthFieldsAgreeAfterAByteMoved(
                        of: outerLayout, origin: origin, before: x, bytes, length, outerLength: outer.count)
                        || embeddedLengthWithOneByteDamaged(
                            of: outerLayout, origin: origin, before: x, bytes, length, outerLength: outer.count)
                    {
                        return true
                    }
                }
                if shiftedStructureEnds(outerLayout, origin: origin, embeddedAt: x, end: end, bytes) { return true }
                if !named, embeddedLengthWithOneByteDamaged(
                    of: outerLayout, origin: origin, before: x, bytes, length, outerLength: outer.count, orExact: true)
                {
                    return true
                }
                guard named else { continue }
                if sharesItsCarrierAndEnd(x, length: length, layout, as: origin, outerLayout, bytes) { return true }
                // Its length field (A07), where it belongs, says exactly that it ends with this message, its G39,
                // where it belongs, is this message's length with one digit damaged, and its structure puts it here
                // or stops before.
                let stated = origin + outerLayout.lengthFieldOffset
                if stated + outerLayout.lengthFieldWidth <= x,
                    number(bytes, stated, outerLayout.lengthFieldWidth) == outer.count,
                    embeddedLengthAtItsPlace(of: outerLayout, origin: origin, before: x, bytes, withOneDigitOff: length),
                    embeddedMessagePlaced(by: outerLayout, origin: origin, near: x, bytes, orStoppedBefore: true)
                {
                    return true
                }
            }
        }
        return false
    }

    /// Whether the structure of a message of `layout` at `origin` ends exactly with the message at `x` as its last
    /// field (G40) once a few bytes inserted or deleted before one or two of its count, flag or length fields are
    /// undone. The walk reads only those fields, so only which of them the damage shifted matters: shifts of up to
    /// ``slack`` bytes either way are tried before each of them, and before each pair of them (one shift before
    /// the first, the rest before the second), adding up to where G39 is found to say this message's length.
    private func shiftedStructureEnds(
        _ layout: RecordLayout, origin: Int, embeddedAt x: Int, end: Int, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        // Every cut comes before G39 or at it, so the walk reads G39 as many bytes from its place as the shifts
        // add up to, and it ends with this message only if G39 says its length there: only those totals are
        // worth a walk.
        guard let field = layout.embeddedMessageField, let lengthField = layout.fields[field].lengthSource,
            let embeddedLengthAt = layout.leadingFieldOffset(of: lengthField)
        else { return false }
        // A total of 0 is bytes deleted before one of them and as many inserted before a later one.
        let totals = (-Self.slack...Self.slack).filter { shift in
            let at = origin + embeddedLengthAt + shift
            return at >= origin && at + 4 <= x && number(bytes, at, 4) == end - x
        }
        guard !totals.isEmpty else { return false }
        let walk = ShiftedWalk(
            decoder: FixedWidthDecoder(layout: layout), message: UnsafeBufferPointer(rebasing: bytes[origin..<end]),
            embeddedAt: x - origin, scratch: scratch)
        let cuts = layout.leadingControlFieldOffsets.filter { origin + $0 < x }
        for (index, cut) in cuts.enumerated() {
            for total in totals where total != 0 && cut + total >= 0 && origin + cut + Self.slack < x {
                if walk.ends(undoing: [(cut, total)]) { return true }
            }
            for second in cuts[(index + 1)...] {
                for total in totals {
                    for first in -Self.slack...Self.slack where first != 0 && first != total && cut + first >= 0 {
                        let rest = total - first
                        guard abs(rest) <= Self.slack, second + rest >= 0 else { continue }
                        if walk.ends(undoing: [(cut, first), (second, rest)]) { return true }
                    }
                }
            }
        }
        return false
    }

    /// Whether the embedded-length field (G39) of a message of `layout` at `origin`, where the structural walk
    /// just made in `scratch` put it (give or take a few shifted bytes), says `length`.
    private func embeddedLengthField(
        of layout: RecordLayout, origin: Int, before limit: Int, _ bytes: UnsafeBufferPointer<UInt8>, says length: Int
    ) -> Bool {
        guard let field = layout.embeddedMessageField, let lengthField = layout.fields[field].lengthSource else {
            return false
        }
        let span = Int(scratch.rootSpan[lengthField])
        guard span >= 0, span < scratch.spanCount else { return false }
        let at = origin + Int(scratch.spanOffset[span])
        // A G39 away from where the walk puts it counts only when it is shifted as much as the embedded message
        // is from where the walk puts G40 (bytes inserted or deleted before G39): other digits near it, such as a
        // validation code, say nothing.
        let embeddedSpan = Int(scratch.rootSpan[field])
        let shift = embeddedSpan >= 0 && embeddedSpan < scratch.spanCount
            ? limit - (origin + Int(scratch.spanOffset[embeddedSpan])) : nil
        for position in max(origin, at - Self.slack)...(at + Self.slack) where position + 4 <= limit {
            let offset = position - at
            guard offset == 0 || shift.map({ abs(offset - $0) <= 1 }) == true else { continue }
            if number(bytes, position, 4) == length { return true }
        }
        return false
    }

    /// Whether the message length field (A07) of a message of `layout` at `origin`, or a few bytes either side
    /// (bytes inserted or deleted before it), says `value` give or take 10 bytes.
    private func statedLength(
        of layout: RecordLayout, origin: Int, before limit: Int, _ bytes: UnsafeBufferPointer<UInt8>, isAbout value: Int
    ) -> Bool {
        let index = origin + layout.lengthFieldOffset
        for at in max(0, index - Self.slack)...(index + Self.slack) where at + layout.lengthFieldWidth <= limit {
            if let stated = number(bytes, at, layout.lengthFieldWidth), abs(stated - value) <= 10 { return true }
        }
        return false
    }

    /// Whether the embedded-length field (G39) of a message of `layout` at `origin`, at its fixed place or up to
    /// ``slack`` bytes from it (bytes inserted or deleted before it), says `value` with at most one byte unreadable.
    /// Digits elsewhere in the message say nothing: a damaged message cut short before a short one has many.
    private func embeddedLengthNearItsPlace(
        of layout: RecordLayout, origin: Int, before limit: Int, _ bytes: UnsafeBufferPointer<UInt8>, roughly value: Int,
        outerLength: Int
    ) -> Bool {
        guard value < 10_000, let field = layout.embeddedMessageField, let lengthField = layout.fields[field].lengthSource,
            let offset = layout.leadingFieldOffset(of: lengthField)
        else { return false }
        let at = origin + offset
        // A message whose G39, at its place, says it embeds nothing, and whose A07 reads: a G39 moved by a few
        // bytes counts only where the message's length says bytes inserted or deleted before it moved it (give or
        // take one), so that digits beside it (a validation code) say nothing.
        let statedLength =
            number(bytes, at, 4) == 0 ? number(bytes, origin + layout.lengthFieldOffset, layout.lengthFieldWidth) : nil
        for position in max(origin, at - Self.slack)...(at + Self.slack) where position + 4 <= limit {
            if position != at, let statedLength, abs(outerLength - statedLength - (position - at)) > 1 { continue }
            if roughlyMatches(bytes, at: position, width: 4, value) { return true }
        }
        return false
    }

    /// Whether the message length field (A07) of a message of `layout` at `origin` says `outerLength` (give or
    /// take ``slack`` bytes) once one byte inserted or deleted inside it is undone, and its embedded-length field
    /// (G39), moved by that byte (give or take one), says exactly `value`. A07 with a byte missing is
    /// consistent with many lengths, so G39 must confirm it at the one place the damage puts it.
    private func lengthFieldsAgreeAfterAByteMoved(
        of layout: RecordLayout, origin: Int, before limit: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ value: Int,
        outerLength: Int
    ) -> Bool {
        guard let field = layout.embeddedMessageField, let lengthField = layout.fields[field].lengthSource,
            let offset = layout.leadingFieldOffset(of: lengthField)
        else { return false }
        let stated = origin + layout.lengthFieldOffset
        // An A07 that reads as a number says that number, not another one with a byte moved.
        guard stated + layout.lengthFieldWidth <= limit, number(bytes, stated, layout.lengthFieldWidth) == nil else {
            return false
        }
        for shift in [-1, 1] {
            guard ((outerLength - Self.slack)...(outerLength + Self.slack)).contains(where: {
                matches(bytes, at: stated, width: layout.lengthFieldWidth, $0, with: shift < 0 ? .deleted : .inserted,
                    before: limit)
            })
            else { continue }
            for position in (origin + offset + shift - 1)...(origin + offset + shift + 1) where position + 4 <= limit {
                if number(bytes, position, 4) == value { return true }
            }
        }
        return false
    }

    /// Whether the message length field (A07) of a message of `layout` at `origin`, at its place, reads as a
    /// length within ``slack`` bytes of `outerLength`, and its embedded-length field (G39), at its place, says
    /// `value` with one byte replaced, deleted or inserted, and its structure puts its embedded message (G40)
    /// within ``slack`` bytes of `limit`, where the message starts. A damaged message followed by one it does not
    /// embed says its own length in A07, short of the next one's end by all of it, unless its tail was cut off.
    private func embeddedLengthWithOneByteDamaged(
        of layout: RecordLayout, origin: Int, before limit: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ value: Int,
        outerLength: Int, orExact: Bool = false
    ) -> Bool {
        guard let field = layout.embeddedMessageField, let lengthField = layout.fields[field].lengthSource,
            let offset = layout.leadingFieldOffset(of: lengthField),
            origin + layout.lengthFieldOffset + layout.lengthFieldWidth <= limit,
            let stated = number(bytes, origin + layout.lengthFieldOffset, layout.lengthFieldWidth),
            abs(stated - outerLength) <= Self.slack
        else { return false }
        guard (orExact ? [ByteEdit.same, .replaced, .deleted, .inserted] : [.replaced, .deleted, .inserted]).contains(where: {
            matches(bytes, at: origin + offset, width: 4, value, with: $0, before: limit)
        })
        else { return false }
        // The carrier's structure must put its embedded message where this one starts: a carrier cut short before
        // a message it does not embed says, in A07, about where that message ends, but puts its own embedded
        // message where the cut began.
        return embeddedMessagePlaced(by: layout, origin: origin, near: limit, bytes, orStoppedBefore: false)
    }

    /// Whether the structure of a message of `layout` at `origin` puts its embedded message (G40) within ``slack``
    /// bytes of `x` (or, with `orStoppedBefore`, stops before it, as a damaged count or flag after G39 can make it).
    /// A message cut short before a message it does not embed puts its own embedded message where the cut began.
    func embeddedMessagePlaced(
        by layout: RecordLayout, origin: Int, near x: Int, _ bytes: UnsafeBufferPointer<UInt8>, orStoppedBefore: Bool
    ) -> Bool {
        guard let field = layout.embeddedMessageField else { return false }
        let whole = UnsafeBufferPointer(rebasing: bytes[origin..<min(bytes.count, origin + maximumMessageLength)])
        _ = FixedWidthDecoder(layout: layout).structuralEnd(of: whole, scratch: scratch)
        let span = Int(scratch.rootSpan[field])
        guard span >= 0, span < scratch.spanCount else { return orStoppedBefore }
        return abs(origin + Int(scratch.spanOffset[span]) - x) <= Self.slack
    }

    /// Whether the embedded-length field (G39) of a message of `layout` at `origin`, exactly at its fixed place,
    /// says `value` but for one byte.
    private func embeddedLengthAtItsPlace(
        of layout: RecordLayout, origin: Int, before limit: Int, _ bytes: UnsafeBufferPointer<UInt8>,
        withOneDigitOff value: Int
    ) -> Bool {
        guard let field = layout.embeddedMessageField, let lengthField = layout.fields[field].lengthSource,
            let offset = layout.leadingFieldOffset(of: lengthField)
        else { return false }
        return [ByteEdit.same, .replaced].contains {
            matches(bytes, at: origin + offset, width: 4, value, with: $0, before: limit)
        }
    }

    /// The layouts that could hold a message embedded at their end, for a damaged message at `origin`: the one
    /// its header names, or every one when the header is unreadable (`named`); when the layout it names embeds
    /// nothing, those whose version and transaction code (A03, A04) differ from the header's by one byte replaced,
    /// deleted or inserted, or which the header names one byte to either side (a byte inserted or deleted before
    /// them), not `named`.
    private func embeddingLayouts(
        at origin: Int, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> (layouts: [RecordLayout], named: Bool) {
        guard origin + 22 <= bytes.count, let version = twoDigits(bytes, origin + 18),
            let transaction = twoDigits(bytes, origin + 20),
            let mapping = catalog.mapping(version: version, transaction: transaction)
        else { return (catalog.embeddingLayouts, true) }
        if mapping.layout.endsWithEmbeddedMessage { return ([mapping.layout], true) }
        let near = catalog.embeddingEntries.compactMap { entry -> RecordLayout? in
            let header = Array((entry.version + entry.transaction).utf8)
            guard header.count == 4,
                [ByteEdit.replaced, .deleted, .inserted].contains(where: {
                    matches(bytes, at: origin + 18, header, with: $0, before: bytes.count)
                }) || [origin + 17, origin + 19].contains(where: {
                    matches(bytes, at: $0, header, with: .same, before: bytes.count)
                })
            else { return nil }
            return catalog.mapping(version: Int(entry.version) ?? -1, transaction: Int(entry.transaction) ?? -1)?.layout
        }
        return (near, false)
    }
}

extension RecordLayout {
    /// The index of the last field when it holds an embedded message (G40), else nil.
    package var embeddedMessageField: Int? {
        guard case .field(let index) = items.last, fields[index].isEmbedded else { return nil }
        return index
    }

    /// Whether the last field holds an embedded message (G40).
    package var endsWithEmbeddedMessage: Bool { embeddedMessageField != nil }

    /// The offset of a field among the fixed-width fields that start the layout, or nil if it comes later.
    func leadingFieldOffset(of field: Int) -> Int? {
        var offset = 0
        for item in items {
            guard case .field(let index) = item, fields[index].width >= 0 else { return nil }
            if index == field { return offset }
            offset += fields[index].width
        }
        return nil
    }

    /// The offsets of the count, flag and length fields among the fixed-width fields that start the layout.
    var leadingControlFieldOffsets: [Int] {
        var offsets: [Int] = []
        var offset = 0
        for item in items {
            guard case .field(let index) = item, fields[index].width >= 0 else { break }
            switch fields[index].role {
            case .count, .flag, .length: offsets.append(offset)
            case .data, .messageLength: break
            }
            offset += fields[index].width
        }
        return offsets
    }
}
