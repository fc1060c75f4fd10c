internal import CSQLite

/// A compiled statement. Bind parameters by 1-based index, then `run()` or `query(_:)`;
/// it resets itself after each use so it can be run again.
public final class SQLiteStatement {
    let handle: OpaquePointer
    unowned let database: SQLiteDatabase

    init(handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// A value that can be bound to a parameter.
    public enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])
    }

    /// Binds `values` to parameters 1…n, replacing earlier bindings.
    @discardableResult
    public func bind(_ values: [Value]) throws(SQLiteError) -> SQLiteStatement {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .real(let number): code = sqlite3_bind_double(handle, index, number)
            case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, csqlite_transient())
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob(handle, index, buffer.baseAddress, Int32(buffer.count), csqlite_transient())
                }
            }
            guard code == SQLITE_OK else { throw SQLiteError(code: code, message: database.lastErrorMessage) }
        }
        return self
    }

    /// Runs a statement that returns no rows.
    public func run(_ values: [Value] = []) throws(SQLiteError) {
        if !values.isEmpty { try bind(values) }
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            throw SQLiteError(code: sqlite3_extended_errcode(database.handle), message: database.lastErrorMessage)
        }
    }

    /// Runs a query and converts each row with `transform`.
    public func query<Element>(
        _ values: [Value] = [], _ transform: (SQLiteRow) throws -> Element
    ) throws(SQLiteError) -> [Element] {
        if !values.isEmpty { try bind(values) }
        defer { sqlite3_reset(handle) }
        var results: [Element] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw SQLiteError(code: sqlite3_extended_errcode(database.handle), message: database.lastErrorMessage)
            }
            do {
                results.append(try transform(SQLiteRow(handle: handle)))
            } catch let error as SQLiteError {
                throw error
            } catch {
                throw SQLiteError(code: SQLITE_MISMATCH, message: "cannot read row: \(error)")
            }
        }
        return results
    }
}

/// One result row, valid only inside the `query` closure that receives it.
public struct SQLiteRow {
    let handle: OpaquePointer

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// The column as text, or nil when it is NULL.
    public func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: pointer)
    }

    /// The column as bytes (empty for NULL).
    public func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
