import ClaimsBridgeStorage
import Foundation
import Testing

@Suite("Secret references")
struct SecretReferenceTests {
    @Test("env: and file: are parsed, anything else refused; the reference prints, never the value")
    func parsing() {
        #expect(SecretReference(parsing: "env:DB_PASSWORD") == .environment("DB_PASSWORD"))
        #expect(SecretReference(parsing: "file:/run/secrets/db") == .file("/run/secrets/db"))
        for literal in ["hunter2", "env:", "file:", ""] { #expect(SecretReference(parsing: literal) == nil) }
        #expect("\(SecretReference.file("/run/secrets/db"))" == "file:/run/secrets/db")
    }

    @Test("A variable is read as it is, a file without its line ends (LF or CR LF); unset, unreadable and empty are told apart")
    func reading() throws {
        let name = "CB_SECRET_TEST_\(UUID().uuidString.prefix(8))"
        setenv(name, "s3cret\n", 1)
        defer { unsetenv(name) }
        #expect(try SecretReference.environment(name).read() == "s3cret\n")
        #expect(throws: SecretReference.Unreadable.unset) { try SecretReference.environment(name + "_NONE").read() }

        let path = NSTemporaryDirectory() + "cb-secret-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: SecretReference.Unreadable.unreadable) { try SecretReference.file(path).read() }
        try "s3cret\n\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try SecretReference.file(path).read() == "s3cret")
        // A file saved by a Windows editor ends its lines with CR LF.
        try "s3cret\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try SecretReference.file(path).read() == "s3cret")
        try "\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SecretReference.Unreadable.empty) { try SecretReference.file(path).read() }
        try "\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SecretReference.Unreadable.empty) { try SecretReference.file(path).read() }
    }

    @Test("A database password that cannot be read names its reference, and a variable loses its line end")
    func databasePassword() throws {
        let name = "CB_DB_SECRET_TEST_\(UUID().uuidString.prefix(8))"
        setenv(name, "\n", 1)
        defer { unsetenv(name) }
        let configuration = try PostgreSQLConfiguration(
            host: "/nonexistent", user: "cb", database: "claims", password: .environment(name))
        let error = #expect(throws: PostgreSQLError.self) { try PostgreSQLDatabase(configuration: configuration) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.description.contains("the database password env:\(name) is unset, empty or unreadable") == true)
        setenv(name, "\r\n", 1)
        let windows = #expect(throws: PostgreSQLError.self) { try PostgreSQLDatabase(configuration: configuration) }
        #expect(windows?.code == .invalidConfiguration, "a CR LF alone is no password")
    }
}
