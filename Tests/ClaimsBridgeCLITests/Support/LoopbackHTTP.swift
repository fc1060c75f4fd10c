import Foundation

/// A plain HTTP/1.1 GET to 127.0.0.1 over a socket. FoundationNetworking's URLSession is not used: each request
/// leaks libcurl's parsed URL (`CFURLSessionCurlHostIsEqual` never frees it), which fails the sanitizer run.
enum LoopbackHTTP {
    struct Response {
        var status: Int
        var body: String
    }

    /// Sends `GET path` to 127.0.0.1:`port` and reads the answer until the server closes the connection.
    /// - Returns: nil when nothing answers (not listening yet, or no complete response within 5 seconds).
    static func get(port: Int, path: String) -> Response? {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(socket, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socket, &chunk, chunk.count, 0)
            if count < 0 { return nil }
            if count == 0 { break }
            received += chunk[..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n"),
            let status = Int(text.prefix(while: { $0 != "\r" }).split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return Response(status: status, body: String(text[headerEnd.upperBound...]))
    }
}
