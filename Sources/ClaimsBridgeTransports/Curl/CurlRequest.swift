internal import CCurl
import ClaimsBridge

/// One libcurl easy handle for one request: options, an optional upload body, and the captured response.
/// Not shared between threads; made, performed and dropped by one call.
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

    /// - Parameter responseLimit: how many response bytes to keep; the rest is read and dropped.
    init(responseLimit: Int = 64 * 1024) throws(TransportError) {
        guard Self.globalInit, let handle = curl_easy_init() else {
            throw TransportError(.network, retryable: true, "libcurl could not be initialised")
        }
        self.handle = handle
        self.responseLimit = responseLimit
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_NOPROGRESS, 1)
        let context = Unmanaged.passUnretained(self).toOpaque()
        set(CURLOPT_WRITEDATA, pointer: context)
        _ = cb_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let context, let data else { return 0 }
            let request = Unmanaged<CurlRequest>.fromOpaque(context).takeUnretainedValue()
            let total = size * count
            let keep = min(total, max(0, request.responseLimit - request.responseBody.count))
            if keep > 0 {
                data.withMemoryRebound(to: UInt8.self, capacity: keep) { bytes in
                    request.responseBody.append(contentsOf: UnsafeBufferPointer(start: bytes, count: keep))
                }
            }
            return total
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) {
        _ = cb_curl_setopt_long(handle, option, value)
    }

    func set(_ option: CURLoption, _ value: String) {
        _ = cb_curl_setopt_string(handle, option, value)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
        _ = cb_curl_setopt_pointer(handle, option, pointer)
    }

    /// Sets a string-list option (headers, post-quote commands); the list lives as long as the request.
    func set(_ option: CURLoption, list values: [String]) {
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values { list = curl_slist_append(list, value) }
        guard let list else { return }
        lists.append(list)
        _ = cb_curl_setopt_list(handle, option, list)
    }

    /// Sends `bytes` as the request body: as a POST body for HTTP, or as the uploaded file for SFTP.
    func setUpload(_ bytes: [UInt8], asPost: Bool) {
        upload = bytes
        uploadOffset = 0
        if asPost {
            set(CURLOPT_POST, 1)
            _ = cb_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
        } else {
            set(CURLOPT_UPLOAD, 1)
            _ = cb_curl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(bytes.count))
        }
        set(CURLOPT_READDATA, pointer: Unmanaged.passUnretained(self).toOpaque())
        _ = cb_curl_setopt_read_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
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
        }
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

    /// The HTTP status of the last response (0 when none).
    var responseCode: Int {
        var value = 0
        _ = cb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &value)
        return value
    }
}
