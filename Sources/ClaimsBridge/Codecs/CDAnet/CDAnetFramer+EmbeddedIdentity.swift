/// Telling a damaged message's embedded message (G40) by what it shares with its carrier, when the fields that
/// would place it (its counts, G39, A07) are damaged. See Docs/robustness.md.
extension CDAnetFramer {
    /// Whether the response at `x` is the one the damaged message at `origin` embeds, by what the two share and by
    /// where it lies. It must be a response of the same version that shares what an embedded message shares with
    /// its carrier: the transaction prefix (A01), provider (B01) and office (B02), two bytes of these damaged at
    /// most, and exactly the office sequence number (A02) of the transaction both answer when the carrier is a
    /// response, or the carrier (A05) whose explanation of benefits it is when the carrier is a coordination of
    /// benefits claim. Where the carrier's structure places its embedded message (G39 not zero), when the walk
    /// gets that far, it must start (a tail cut off leaves the structure as it was). And it must end where that
    /// structure ends it, or where the carrier's length field (A07) says: at its place with one byte unreadable,
    /// or moved by a few bytes and readable; give or take a few bytes for a response, exactly for a claim, whose
    /// embedded message shares less with it. A message right after another one with the same A02 or A05 is the
    /// next message: a message embeds one message, as its last field.
    func sharesItsCarrierAndEnd(
        _ x: Int, length: Int, _ layout: RecordLayout, as origin: Int, _ outerLayout: RecordLayout,
        _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard !layout.isRequest, origin + 22 <= bytes.count,
            let version = twoDigits(bytes, origin + 18), let transaction = twoDigits(bytes, origin + 20),
            catalog.mapping(version: version, transaction: transaction)?.layout === outerLayout
        else { return false }
        let exact = outerLayout.isRequest ? ["A05"] : ["A02"]
        guard layout.version == outerLayout.version, differences(in: exact, x, layout, origin, outerLayout, bytes) == 0,
            differences(in: ["A01", "B01", "B02"], x, layout, origin, outerLayout, bytes) <= 2
        else { return false }
        var placed = false
        if let field = outerLayout.embeddedMessageField {
            let whole = UnsafeBufferPointer(rebasing: bytes[origin..<min(bytes.count, origin + maximumMessageLength)])
            _ = FixedWidthDecoder(layout: outerLayout).structuralEnd(of: whole, scratch: scratch)
            let span = Int(scratch.rootSpan[field])
            if span >= 0, span < scratch.spanCount {
                let offset = Int(scratch.spanOffset[span])
                guard scratch.spanLength[span] > 0, abs(origin + offset - x) <= Self.slack else { return false }
                placed = abs(origin + offset + Int(scratch.spanLength[span]) - (x + length)) <= Self.slack
            }
        }
        let stated = origin + outerLayout.lengthFieldOffset
        let width = outerLayout.lengthFieldWidth
        let end = x + length - origin
        if !placed {
            let tolerance = outerLayout.isRequest ? 0 : Self.slack
            let atItsPlace = ((end - tolerance)...(end + tolerance)).contains {
                roughlyMatches(bytes, at: stated, width: width, $0)
            }
            guard atItsPlace || !outerLayout.isRequest && (-Self.slack...Self.slack).contains(where: { shift in
                let at = stated + shift
                return at > origin && at + width <= x
                    && number(bytes, at, width).map({ abs($0 - end) <= Self.slack }) == true
            })
            else { return false }
        }
        var before = origin + 22
        while before + 22 <= x {
            if case .message(let mapping, let length) = candidate(at: before, bytes, isFinal: true, decoding: false),
                before + length == x, differences(in: exact, before, mapping.layout, origin, outerLayout, bytes) == 0
            {
                return false
            }
            before += 1
        }
        return true
    }

    /// How many bytes differ between the messages at `x` and `origin` in the fields `ids`; `Int.max` when either
    /// lacks one of them among its leading fields.
    private func differences(
        in ids: [String], _ x: Int, _ layout: RecordLayout, _ origin: Int, _ originLayout: RecordLayout,
        _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Int {
        var count = 0
        for id in ids {
            guard let field = layout.fieldIndex(id: id, group: nil), let at = layout.leadingFieldOffset(of: field),
                let originField = originLayout.fieldIndex(id: id, group: nil),
                let originAt = originLayout.leadingFieldOffset(of: originField),
                layout.fields[field].width == originLayout.fields[originField].width,
                x + at + layout.fields[field].width <= bytes.count
            else { return .max }
            for i in 0..<layout.fields[field].width where bytes[x + at + i] != bytes[origin + originAt + i] {
                count += 1
            }
        }
        return count
    }
}
