/// A file name of exactly `bytes` UTF-8 bytes for tests of the 255-byte name limit: `unit` repeated (a multi-byte
/// character tests cutting between characters), padded with `b`, then `.txt`.
public func longFileName(_ bytes: Int, unit: String = "a") -> String {
    var stem = ""
    while stem.utf8.count + unit.utf8.count + 4 <= bytes { stem += unit }
    while stem.utf8.count + 4 < bytes { stem += "b" }
    return stem + ".txt"
}
