/// The media types of the formats ClaimsBridge reads and writes.
enum MediaTypes {
    static let json = ["application/json", "application/x-ndjson", "application/jsonl"]
    static let xml = ["application/xml", "text/xml"]
    static let cdanet = ["application/octet-stream", "text/plain"]

    /// What a body in `format` (a `--from` value) may be sent as.
    static func accepted(for format: String) -> [String] {
        switch format {
        case "cdanet": cdanet
        case "json", "partner-json", "lab-order": json
        case "ramq", "ramq-response", "xml": xml
        default: json + xml
        }
    }

    /// The Content-Type of output in `format` (a `--to` value) with the given file-name extension.
    static func produced(for format: String, fileExtension: String) -> String {
        switch (format, fileExtension) {
        case ("cdanet", _): "application/octet-stream"
        case ("fields", _): "text/plain; charset=utf-8"
        case (_, "xml"): "application/xml"
        case (_, "jsonl"): "application/x-ndjson"
        case (_, "json"): "application/json"
        default: "application/octet-stream"
        }
    }
}
