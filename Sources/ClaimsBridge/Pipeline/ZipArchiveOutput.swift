/// Wraps an output in a zip archive holding one file, written as it streams (stored, no compression).
///
/// The entry's CRC-32 and sizes follow its data in a data descriptor (general purpose flag bit 3), so nothing
/// is buffered; ``finish()`` writes the central directory. Entries up to 4 GiB (no Zip64). The file name is
/// marked UTF-8 (flag bit 11).
///
/// ```swift
/// var zip = ZipArchiveOutput(output, entryName: "claims20260331.xml")
/// _ = try pipeline.run(input: &input, output: &zip) { _ in }
/// try zip.finish()
/// ```
public struct ZipArchiveOutput<Output: ByteOutput>: ByteOutput {
    /// The wrapped output (read it back after ``finish()``).
    public private(set) var output: Output
    private let name: [UInt8]
    private let dosTime: UInt16
    private let dosDate: UInt16
    private var crc: UInt32 = 0xFFFF_FFFF
    private var size = 0
    private var started = false

    /// - Parameters:
    ///   - entryName: the file name inside the archive.
    ///   - modified: the entry's date (its time is written as midnight), so archives are reproducible.
    public init(_ output: Output, entryName: String, modified: CalendarDate? = nil) {
        self.output = output
        name = Array(entryName.utf8)
        dosTime = 0
        let date = modified ?? CalendarDate(year: 1980, month: 1, day: 1)!
        dosDate = UInt16(max(date.year - 1980, 0) << 9 | date.month << 5 | date.day)
    }

    /// Adds bytes to the entry.
    /// - Throws: what the wrapped output throws, or ``BridgeError`` (`io`) past 4 GiB.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        if !started { try start() }
        var value = crc
        crc32Table.withUnsafeBufferPointer { table in
            for byte in bytes { value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8) }
        }
        crc = value
        size += bytes.count
        guard size < 0xFFFF_FFFF else { throw BridgeError(.io, "the zip entry would exceed 4 GiB") }
        try output.write(bytes)
    }

    /// Writes the data descriptor and the central directory; call once, after the last write.
    public mutating func finish() throws {
        if !started { try start() }
        let checksum = crc ^ 0xFFFF_FFFF
        var tail: [UInt8] = []
        tail.le32(0x0807_4b50)
        tail.le32(checksum)
        tail.le32(UInt32(size))
        tail.le32(UInt32(size))
        let centralOffset = UInt32(30 + name.count + size + 16)
        var central: [UInt8] = []
        central.le32(0x0201_4b50)
        central.le16(20)
        header(into: &central, checksum: checksum, size: UInt32(size))
        central.le16(0)  // comment length
        central.le16(0)  // disk number
        central.le16(0)  // internal attributes
        central.le32(0)  // external attributes
        central.le32(0)  // local header offset
        central += name
        tail += central
        tail.le32(0x0605_4b50)
        tail.le16(0)
        tail.le16(0)
        tail.le16(1)
        tail.le16(1)
        tail.le32(UInt32(central.count))
        tail.le32(centralOffset)
        tail.le16(0)
        try tail.withUnsafeBytes { try output.write($0) }
    }

    private mutating func start() throws {
        started = true
        var local: [UInt8] = []
        local.le32(0x0403_4b50)
        header(into: &local, checksum: 0, size: 0)
        local += name
        try local.withUnsafeBytes { try output.write($0) }
    }

    /// From "version needed" to "extra field length", shared by the local and central headers.
    private func header(into out: inout [UInt8], checksum: UInt32, size: UInt32) {
        out.le16(20)
        out.le16(0x0808)  // data descriptor, UTF-8 name
        out.le16(0)  // stored
        out.le16(dosTime)
        out.le16(dosDate)
        out.le32(checksum)
        out.le32(size)
        out.le32(size)
        out.le16(UInt16(name.count))
        out.le16(0)
    }

}

/// CRC-32 (IEEE 802.3) lookup table.
private let crc32Table: [UInt32] = (0..<256).map { index in
    var value = UInt32(index)
    for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
    return value
}

extension Array where Element == UInt8 {
    fileprivate mutating func le16(_ value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    fileprivate mutating func le32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
