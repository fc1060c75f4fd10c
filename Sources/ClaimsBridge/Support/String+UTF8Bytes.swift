extension String {
    /// Calls `body` with the string's UTF-8 bytes where the string holds them, copying them only when it does not
    /// (a string bridged from elsewhere): for checks that run on every value of every record.
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        utf8.withContiguousStorageIfAvailable(body) ?? Array(utf8).withUnsafeBufferPointer(body)
    }
}
