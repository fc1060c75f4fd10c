import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Testing

@Suite("PostgreSQL sequence numbers")
struct PostgreSQLSequencesTests {
    func migrated() throws -> PostgreSQLTesting {
        let testing = try PostgreSQLTesting()
        try PostgreSQLSchema.migrate(testing.connect())
        return testing
    }

    @Test("A02 counts per office and A09 per office and carrier, each from 1, with the SQLite ledger's scope names")
    func perOfficeAndCarrier() throws {
        let sequences = try PostgreSQLSequences(database: migrated().connect())
        let a02 = SequenceCounter.officeSequence(office: "OFF001")
        let a09 = SequenceCounter.carrierTransaction(office: "OFF001", carrier: "610099")
        #expect(a02.scope == "A02/OFF001" && a09.scope == "A09/OFF001/610099")
        #expect(try sequences.last(a02) == nil)
        #expect(try [sequences.next(a02), sequences.next(a02), sequences.next(a09)] == [1, 2, 1])
        #expect(try sequences.next(.officeSequence(office: "OFF002")) == 1)
        #expect(try sequences.next(.carrierTransaction(office: "OFF001", carrier: "311140")) == 1)
        #expect(try sequences.next(.carrierTransaction(office: "OFF002", carrier: "610099")) == 1)
        #expect(try sequences.next(a09) == 2)
        #expect(try sequences.last(a02) == 2)
    }

    @Test("A file's allocation gives the same number again for the same message and field, a new one otherwise")
    func allocations() throws {
        let testing = try migrated()
        let sequences = try PostgreSQLSequences(database: testing.connect())
        let a02 = SequenceCounter.officeSequence(office: "OFF001")
        let first = try sequences.allocation(fileKey: "host:/ledger#7", line: 1, field: "A02", counter: a02)
        let second = try sequences.allocation(fileKey: "host:/ledger#7", line: 2, field: "A02", counter: a02)
        #expect([first, second] == [1, 2])
        // Resumed, from another connection: the same numbers, none used up.
        let resumed = try PostgreSQLSequences(database: testing.connect())
        #expect(try resumed.allocation(fileKey: "host:/ledger#7", line: 1, field: "A02", counter: a02) == 1)
        #expect(try resumed.allocation(fileKey: "host:/ledger#8", line: 1, field: "A02", counter: a02) == 3)
        // Eight workers resuming one file at once agree on its numbers.
        let agreed = try onThreads(8) { _ in
            let sequences = try PostgreSQLSequences(database: testing.connect())
            return try (1...5).map {
                try sequences.allocation(fileKey: "host:/ledger#9", line: $0, field: "A02", counter: a02)
            }
        }
        #expect(Set(agreed.map { $0 }).count == 1)
        #expect(agreed[0] == [4, 5, 6, 7, 8])
        #expect(try sequences.last(a02) == 8)
    }

    @Test("After the limit the counter starts again at 1")
    func wrapAround() throws {
        let sequences = try PostgreSQLSequences(database: migrated().connect())
        let counter = SequenceCounter(fieldID: "A02", office: "OFF001", limit: 3)
        #expect(try (0..<7).map { _ in try sequences.next(counter) } == [1, 2, 3, 1, 2, 3, 1])
        #expect(SequenceCounter.officeSequence(office: "x").limit == 999_999)
        #expect(SequenceCounter.carrierTransaction(office: "x", carrier: "y").limit == 99_999)
    }

    @Test("A number taken in a transaction that rolls back is handed out again")
    func rollback() throws {
        let database = try migrated().connect()
        let sequences = PostgreSQLSequences(database: database)
        let counter = SequenceCounter.officeSequence(office: "OFF001")
        #expect(throws: PostgreSQLError.self) {
            try database.transaction {
                #expect(try sequences.next(counter) == 1)
                try database.execute("SELECT 1/0")
            }
        }
        #expect(try sequences.next(counter) == 1)
    }

    @Test("Eight connections on threads, 4000 numbers for two offices: no duplicate, no gap")
    func concurrent() throws {
        let testing = try migrated()
        let offices = ["OFF001", "OFF002"]
        let taken = try onThreads(8) { worker in
            let sequences = try PostgreSQLSequences(database: testing.connect())
            return try (0..<500).map { index in
                let office = offices[(worker + index) % 2]
                return (office, try sequences.next(.officeSequence(office: office)))
            }
        }.flatMap { $0 }
        for office in offices {
            let numbers = taken.filter { $0.0 == office }.map(\.1).sorted()
            #expect(numbers == Array(1...2000), "office \(office)")
        }
    }

    @Test("Concurrent allocation across the wrap: each number of 1…10 handed out exactly ten times")
    func concurrentWrap() throws {
        let testing = try migrated()
        let counter = SequenceCounter(fieldID: "A09", office: "OFF001", carrier: "610099", limit: 10)
        let taken = try onThreads(4) { _ in
            let sequences = try PostgreSQLSequences(database: testing.connect())
            return try (0..<25).map { _ in try sequences.next(counter) }
        }.flatMap { $0 }
        #expect(
            Dictionary(grouping: taken, by: { $0 }).mapValues(\.count)
                == Dictionary(uniqueKeysWithValues: (1...10).map { ($0, 10) }))
    }
}
