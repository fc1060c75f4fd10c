import Foundation

// Deliveries per second through the outbox to the folder transport and to a loopback HTTPS receiver. A program of
// its own, so that the translation benchmark does not load libcurl, TLS and the database libraries it never uses.
//
//   swift run -c release --package-path Benchmarks claimsbridge-transport-bench [--deliveries N]

/// Prints a line at once (unbuffered), so each result shows as soon as it is known.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

exit(TransportBenchmark.runBlocking(Array(CommandLine.arguments.dropFirst())))
