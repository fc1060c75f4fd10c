import HTTPTypes
import Testing

@testable import ClaimsBridgeService
@testable import ClaimsBridgeStorage

/// A database that cannot take a request now is a 503 with `Retry-After`, so that clients try again; other storage
/// failures stay 500. Neither names the server, the statement or a value.
@Suite struct StoreUnavailableTests {
    @Test("Every connection in use: 503 storeBusy, Retry-After")
    func poolExhaustedIsBusy() {
        let error = PostgreSQLError(
            .poolExhausted, "all 16 connections to db.example:5432/claims that store: poolMaxConnections allows are in use")
        let problem = Problem.from(error)
        #expect(problem.status.code == 503)
        #expect(problem.code == "storeBusy")
        #expect(problem.headers[.retryAfter] == String(Problem.storeRetryAfterSeconds))
        #expect(!problem.detail.contains("db.example"))
    }

    @Test("Server out of reach or connection dropped: 503 storeUnavailable, Retry-After")
    func unreachableIsUnavailable() {
        for error in [
            PostgreSQLError(.cannotConnect, retryable: true, "could not connect to db.example:5432"),
            PostgreSQLError(.connectionLost, retryable: true, "server closed the connection unexpectedly"),
        ] {
            let problem = Problem.from(error)
            #expect(problem.status.code == 503)
            #expect(problem.code == "storeUnavailable")
            #expect(problem.headers[.retryAfter] == String(Problem.storeRetryAfterSeconds))
            #expect(!problem.detail.contains("db.example"))
        }
    }

    @Test("A statement the server refused stays a 500 without its text")
    func otherFailuresAreInternal() {
        let problem = Problem.from(
            PostgreSQLError(.statementFailed, sqlState: "42P01", "relation \"ledger_files\" does not exist"))
        #expect(problem.status.code == 500)
        #expect(problem.code == "internal")
        #expect(problem.headers[.retryAfter] == nil)
        #expect(!problem.detail.contains("ledger_files"))
    }
}
