internal import CCurl
import ClaimsBridge

/// One libcurl easy handle for one request: options, an optional upload body, and the captured response.
/// Not shared between threads; made, performed and dropped by one call.
///
/// Every option is checked: an option libcurl refuses (not built in, a value it rejects) is a permanent
/// `invalidConfiguration` error naming the option, never a request sent without it — a dropped protocol
/// restriction, public-key pin or host-key check would otherwise go unnoticed.
final class CurlRequest {
    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    private var upload: [UInt8] = []
    private var uploadOffset = 0
    private let responseLimit: Int
    /// The response body, up to the limit given at creation.
    private(set) var responseBody: [UInt8] = []
    /// Whether the response was longer than the limit (the rest was dropped).
    private(set) var responseOverflowed = false

    /// - Parameter responseLimit: how many response bytes to keep; the rest is read and dropped.
    init(responseLimit: Int = 64 * 1024) throws(TransportError) {
        guard Self.globalInit, let handle = curl_easy_init() else {
            throw TransportError(.network, retryable: true, "libcurl could not be initialised")
        }
        self.handle = handle
        self.responseLimit = responseLimit
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_NOPROGRESS, 1)
        let context = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_WRITEDATA, pointer: context)
        try check(
            CURLOPT_WRITEFUNCTION,
            cb_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) {
                data, size, count, context in
                guard let context, let data else { return 0 }
                let request = Unmanaged<CurlRequest>.fromOpaque(context).takeUnretainedValue()
                let total = size * count
                let keep = min(total, max(0, request.responseLimit - request.responseBody.count))
                if keep < total { request.responseOverflowed = true }
                if keep > 0 {
                    data.withMemoryRebound(to: UInt8.self, capacity: keep) { bytes in
                        request.responseBody.append(contentsOf: UnsafeBufferPointer(start: bytes, count: keep))
                    }
                }
                return total
            })
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    /// Sets a whole-number option.
    /// - Throws: ``TransportError`` (`invalidConfiguration`, permanent) when libcurl refuses it.
    func set(_ option: CURLoption, _ value: Int) throws(TransportError) {
        try check(option, cb_curl_setopt_long(handle, option, value))
    }

    /// Sets a text option (libcurl copies it).
    /// - Throws: ``TransportError`` (`invalidConfiguration`, permanent) when libcurl refuses it.
    func set(_ option: CURLoption, _ value: String) throws(TransportError) {
        try check(option, cb_curl_setopt_string(handle, option, value))
    }

    /// Sets a pointer option.
    /// - Throws: ``TransportError`` (`invalidConfiguration`, permanent) when libcurl refuses it.
    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(TransportError) {
        try check(option, cb_curl_setopt_pointer(handle, option, pointer))
    }

    /// Sets a string-list option (headers, post-quote commands); the list lives as long as the request.
    /// - Throws: ``TransportError`` (`invalidConfiguration`, permanent) when libcurl refuses it.
    func set(_ option: CURLoption, list values: [String]) throws(TransportError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values { list = curl_slist_append(list, value) }
        guard let list else { return }
        lists.append(list)
        try check(option, cb_curl_setopt_list(handle, option, list))
    }

    /// Sends `bytes` as the request body: as a POST body for HTTP, or as the uploaded file for SFTP.
    /// - Throws: ``TransportError`` (`invalidConfiguration`, permanent) when libcurl refuses an option.
    func setUpload(_ bytes: [UInt8], asPost: Bool) throws(TransportError) {
        upload = bytes
        uploadOffset = 0
        if asPost {
            try set(CURLOPT_POST, 1)
            try check(
                CURLOPT_POSTFIELDSIZE_LARGE,
                cb_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
        } else {
            try set(CURLOPT_UPLOAD, 1)
            try check(
                CURLOPT_INFILESIZE_LARGE,
                cb_curl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(bytes.count)))
        }
        try set(CURLOPT_READDATA, pointer: Unmanaged.passUnretained(self).toOpaque())
        try check(
            CURLOPT_READFUNCTION,
            cb_curl_setopt_read_callback(handle, CURLOPT_READFUNCTION) {
                buffer, size, count, context in
                guard let context, let buffer else { return 0 }
                let request = Unmanaged<CurlRequest>.fromOpaque(context).takeUnretainedValue()
                let length = min(size * count, request.upload.count - request.uploadOffset)
                if length > 0 {
                    request.upload.withUnsafeBytes { source in
                        UnsafeMutableRawPointer(buffer).copyMemory(
                            from: source.baseAddress! + request.uploadOffset, byteCount: length)
                    }
                    request.uploadOffset += length
                }
                return length
            })
    }

    /// Turns a refused option into a permanent configuration error that names it.
    private func check(_ option: CURLoption, _ code: CURLcode) throws(TransportError) {
        guard code != CURLE_OK else { return }
        throw TransportError(
            .invalidConfiguration, retryable: false,
            "libcurl refused the option CURLOPT_\(Self.name(of: option)): \(String(cString: curl_easy_strerror(code))) "
                + "(libcurl \(code.rawValue)); nothing was sent")
    }

    /// The option's name as libcurl knows it (`PINNEDPUBLICKEY`), or its number.
    static func name(of option: CURLoption) -> String {
        guard let known = curl_easy_option_by_id(option), let name = known.pointee.name else {
            return "\(option.rawValue)"
        }
        return String(cString: name)
    }

    /// Performs the request.
    /// - Returns: the libcurl result code and its detailed message (empty on success).
    func perform() -> (code: CURLcode, message: String) {
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        guard code != CURLE_OK else { return (code, "") }
        let detail = String(cString: errorBuffer)
        return (code, detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
    }

    /// The server's `Retry-After` (seconds, or an HTTP date converted to seconds from now), or nil when it sent none.
    var retryAfterSeconds: Double? {
        var value: curl_off_t = 0
        guard cb_curl_getinfo_offset(handle, CURLINFO_RETRY_AFTER, &value) == CURLE_OK, value > 0 else { return nil }
        return Double(value)
    }

    /// Takes and returns connections through `cache` (kept open between requests to the same destination).
    func share(_ cache: CurlConnectionCache) throws(TransportError) {
        try check(CURLOPT_SHARE, cache.attach(handle))
    }

    /// How many new connections the last transfer opened (0 when it reused one).
    var newConnections: Int {
        var value = 0
        _ = cb_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &value)
        return value
    }

    /// The HTTP status of the last response (0 when none).
    var responseCode: Int {
        var value = 0
        _ = cb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &value)
        return value
    }
}
