#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resident set size of this process, from `/proc/self/status` (Linux).
enum ProcessMemory {
    /// Current resident set size (VmRSS) in bytes, or nil where `/proc` is unavailable.
    static var resident: Int? { statusValue("VmRSS:") }

    /// Peak resident set size (VmHWM) in bytes since start or since the last ``resetPeak()``.
    static var peak: Int? { statusValue("VmHWM:") }

    /// Resets the peak to the current resident size (writes 5 to `/proc/self/clear_refs`, Linux ≥ 4.0).
    /// Returns false when the kernel refuses, in which case the peak covers the whole process lifetime.
    @discardableResult
    static func resetPeak() -> Bool {
        let descriptor = open("/proc/self/clear_refs", O_WRONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let command: [UInt8] = [UInt8(ascii: "5")]
        return command.withUnsafeBytes { write(descriptor, $0.baseAddress, 1) } == 1
    }

    /// Returns memory the allocator holds but no longer uses to the system (glibc `malloc_trim`).
    static func releaseFreedMemory() {
        #if canImport(Glibc)
            // malloc_trim is declared in <malloc.h>, which the Glibc module does not include.
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }

    /// A `kB` line of `/proc/self/status`, in bytes.
    private static func statusValue(_ key: String) -> Int? {
        guard let status = readFile("/proc/self/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(key) {
            let number = line.dropFirst(key.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            return number.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }

    private static func readFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
