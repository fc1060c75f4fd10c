import ClaimsBridgeStorage
import ClaimsBridgeTestSupport
import Testing

/// Several offices in one PostgreSQL database, each in a schema of its own.
@Suite("PostgreSQL tenants")
struct PostgreSQLTenantTests {
    func tenant(_ name: String, of configuration: PostgreSQLConfiguration) throws -> PostgreSQLConfiguration {
        var scoped = configuration
        try scoped.scope(toTenant: name)
        return scoped
    }

    @Test("Two tenants in one database: tables of their own, counters and claims of their own")
    func separateRows() throws {
        let testing = try PostgreSQLTesting()
        let north = try tenant("north", of: testing.configuration)
        let south = try tenant("south", of: testing.configuration)
        #expect(try PostgreSQLSchema.migrate(PostgreSQLDatabase(configuration: north)) == [1, 2, 3, 4, 5])
        #expect(try PostgreSQLSchema.migrate(PostgreSQLDatabase(configuration: south)) == [1, 2, 3, 4, 5])
        let tables = try testing.connect().execute(
            "SELECT schemaname, count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                + " GROUP BY schemaname ORDER BY schemaname"
        ).rows.map(\.values)
        // The store's 5 tables and the ledger's 9: each office's ledger in its own schema, nothing in public.
        #expect(tables == [["tenant_north", "14"], ["tenant_south", "14"]], "nothing in public")
        let ledgerTables = try testing.connect().execute(
            "SELECT schemaname FROM pg_tables WHERE tablename IN ('files', 'deliveries') ORDER BY schemaname, tablename"
        ).rows.map(\.values)
        #expect(ledgerTables == [["tenant_north"], ["tenant_north"], ["tenant_south"], ["tenant_south"]])

        let counter = SequenceCounter.officeSequence(office: "0001")
        let northNumbers = PostgreSQLSequences(database: try PostgreSQLDatabase(configuration: north))
        let southNumbers = PostgreSQLSequences(database: try PostgreSQLDatabase(configuration: south))
        #expect(try [northNumbers.next(counter), northNumbers.next(counter), southNumbers.next(counter)] == [1, 2, 1])
        #expect(try southNumbers.last(counter) == 1)

        let file = InboxFileKey(route: "claims", name: "a.jsonl", size: 10, modifiedNanoseconds: 1)
        let northClaims = try PostgreSQLInboxClaimStore(configuration: north)
        let southClaims = try PostgreSQLInboxClaimStore(configuration: south)
        #expect(try northClaims.claim(file, worker: "m1", leaseSeconds: 60, now: 1) != nil)
        #expect(try southClaims.claim(file, worker: "m2", leaseSeconds: 60, now: 1) != nil, "a file of its own inbox")
        #expect(try southClaims.record(file)?.worker == "m2" && northClaims.record(file)?.worker == "m1")
    }

    @Test("A tenant name is checked before it reaches SQL; ?tenant= in the URL scopes too")
    func names() throws {
        var configuration = try PostgreSQLConfiguration(url: "postgres://cb@db.example/claims?tenant=clinic_7")
        #expect(configuration.schema == "tenant_clinic_7")
        #expect(configuration.location == "db.example:5432/claims (tenant clinic_7)")
        for bad in ["", "North", "7clinic", "a-b", "x; DROP TABLE y", String(repeating: "a", count: 41), "é"] {
            #expect(throws: PostgreSQLError.self, "\(bad)") { try configuration.scope(toTenant: bad) }
        }
        #expect(configuration.tenant == "clinic_7")
    }
}
