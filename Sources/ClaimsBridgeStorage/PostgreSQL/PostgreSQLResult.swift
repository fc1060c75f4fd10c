internal import CPostgreSQL

/// The rows a statement returned, as text (NULL is nil), and how many rows it changed.
public struct PostgreSQLResult: Sendable {
    public let columns: [String]
    public let rows: [PostgreSQLRow]
    /// Rows inserted, updated or deleted (0 for other statements).
    public let affectedRows: Int

    init(reading result: OpaquePointer) {
        let columnCount = PQnfields(result)
        columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        rows = (0..<PQntuples(result)).map { row in
            PostgreSQLRow(
                values: (0..<columnCount).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }
}

/// One row of a ``PostgreSQLResult``.
public struct PostgreSQLRow: Sendable {
    public let values: [String?]

    /// The column as text, or nil when it is NULL.
    public func text(_ column: Int) -> String? { values[column] }

    /// The column as a whole number.
    /// - Throws: ``PostgreSQLError`` (`unexpectedValue`) when it is NULL or not a number; the value is not quoted.
    public func int(_ column: Int) throws(PostgreSQLError) -> Int {
        guard let text = values[column], let number = Int(text) else {
            throw PostgreSQLError(.unexpectedValue, "column \(column + 1) is not a whole number")
        }
        return number
    }
}
