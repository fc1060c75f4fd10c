/// The structural walk of a damaged message after bytes inserted or deleted before some of its fields are
/// undone: used to tell whether the message ends with a given embedded message (G40) once the damage that moved
/// its count, flag and length fields is put right. See Docs/robustness.md.
struct ShiftedWalk {
    let decoder: FixedWidthDecoder
    /// The damaged message, from its first byte to the end of the embedded message.
    let message: UnsafeBufferPointer<UInt8>
    /// Where the embedded message starts in `message`.
    let embeddedAt: Int
    let scratch: DecodedRecord

    /// Whether the walk ends with the embedded message as the last field once each `(cut, shift)` is undone, in
    /// order: `shift` bytes inserted (positive) or deleted (negative) just before the field that starts `cut`
    /// bytes into the undamaged message. Inserted bytes are dropped; deleted ones are put back as spaces, so that
    /// the field is read where it belongs. Cuts go in increasing order and do not overlap.
    func ends(undoing edits: [(cut: Int, shift: Int)]) -> Bool {
        var repaired = Array(message)
        var previousCut = 0
        var total = 0
        for (cut, shift) in edits {
            let kept = cut + min(shift, 0)
            guard kept >= previousCut, kept + max(shift, 0) <= repaired.count else { return false }
            if shift > 0 {
                repaired.removeSubrange(kept..<(kept + shift))
            } else {
                repaired.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: -shift), at: kept)
            }
            previousCut = cut
            total += shift
        }
        return repaired.withUnsafeBufferPointer { repaired in
            decoder.structuralEnd(of: repaired, scratch: scratch) == .length(repaired.count) && scratch.spanCount > 0
                && Int(scratch.spanOffset[scratch.spanCount - 1]) == embeddedAt - total
        }
    }
}
