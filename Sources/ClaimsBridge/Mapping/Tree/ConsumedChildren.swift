/// Which children of an element a walk along the mapping's rules has already taken: one bit each for up to 64
/// children (no allocation, as for every element of every record), a list beyond that.
struct ConsumedChildren {
    private var bits: UInt64 = 0
    private var beyond: [Bool]

    /// None taken yet, of `count` children.
    init(count: Int) { beyond = count > 64 ? [Bool](repeating: false, count: count - 64) : [] }

    subscript(index: Int) -> Bool {
        get { index < 64 ? bits & (1 << UInt64(index)) != 0 : beyond[index - 64] }
        set {
            if index >= 64 {
                beyond[index - 64] = newValue
            } else if newValue {
                bits |= 1 << UInt64(index)
            } else {
                bits &= ~(1 << UInt64(index))
            }
        }
    }

    /// The first child of `count` not taken, or nil.
    func firstNotTaken(of count: Int) -> Int? {
        let small = min(count, 64)
        let free = ~bits & (small == 64 ? ~0 : (1 << UInt64(small)) - 1)
        if free != 0 { return free.trailingZeroBitCount }
        return beyond.firstIndex(of: false).map { $0 + 64 }
    }
}
