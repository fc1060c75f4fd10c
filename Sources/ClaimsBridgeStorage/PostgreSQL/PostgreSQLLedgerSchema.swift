/// The watcher's ledger in PostgreSQL: the same tables and columns as the SQLite ledger (at its version 4), so that
/// one set of queries runs on both. Times are seconds since 1970 (`double precision`), flags are integers (0 or 1),
/// bytes are `bytea`. Header numbers are not here: the ledger takes them from `sequence_counters` and records them
/// in `sequence_allocations`, the tables every worker already shares.
enum PostgreSQLLedgerSchema {
    static let migration = PostgreSQLMigration(
        version: 4, name: "ledger",
        sql: """
            CREATE TABLE files (
                id bigserial PRIMARY KEY,
                route text NOT NULL,
                name text NOT NULL,
                sha256 text NOT NULL,
                size bigint NOT NULL,
                state text NOT NULL,
                path text NOT NULL,
                moving_to text,
                claimed_at double precision NOT NULL,
                finished_at double precision,
                messages bigint NOT NULL DEFAULT 0,
                translated bigint NOT NULL DEFAULT 0,
                rejected bigint NOT NULL DEFAULT 0,
                error text,
                duplicate_of bigint REFERENCES files (id),
                reprocess_of bigint REFERENCES files (id),
                original_purged_at double precision
            );
            CREATE INDEX files_by_content ON files (route, sha256);
            CREATE INDEX files_by_state ON files (state);
            CREATE UNIQUE INDEX files_by_path ON files (path);
            CREATE INDEX files_unfinished ON files (id) WHERE finished_at IS NULL;
            CREATE TABLE deliveries (
                file_id bigint NOT NULL REFERENCES files (id),
                transport text NOT NULL,
                idempotency_key text NOT NULL,
                outbox_id bigint NOT NULL,
                state text NOT NULL,
                PRIMARY KEY (file_id, transport)
            );
            CREATE INDEX deliveries_by_outbox ON deliveries (outbox_id);
            CREATE TABLE messages (
                id bigserial PRIMARY KEY,
                file_id bigint NOT NULL REFERENCES files (id),
                message_number bigint NOT NULL,
                type text NOT NULL,
                is_request bigint NOT NULL,
                office_sequence text NOT NULL,
                carrier text NOT NULL,
                provider text NOT NULL,
                request_id bigint REFERENCES messages (id),
                recorded_at double precision NOT NULL,
                may_be_unsolicited bigint NOT NULL DEFAULT 0,
                carrier_reference text,
                UNIQUE (file_id, message_number)
            );
            CREATE INDEX messages_by_header ON messages (office_sequence, provider, carrier);
            CREATE INDEX messages_by_carrier_reference ON messages (carrier_reference);
            CREATE TABLE tracked_states (
                kind text NOT NULL,
                key text NOT NULL,
                state text NOT NULL,
                occurred_at double precision NOT NULL,
                updated_at double precision NOT NULL,
                lookup text NOT NULL,
                PRIMARY KEY (kind, key)
            );
            CREATE INDEX tracked_states_by_lookup ON tracked_states (kind, lookup);
            CREATE TABLE state_transitions (
                id bigserial PRIMARY KEY,
                kind text NOT NULL,
                key text NOT NULL,
                source text NOT NULL,
                from_state text,
                to_state text NOT NULL,
                occurred_at double precision NOT NULL,
                recorded_at double precision NOT NULL,
                outcome text NOT NULL,
                reason text,
                UNIQUE (kind, key, source)
            );
            CREATE TABLE claim_amounts (
                claim_key text PRIMARY KEY,
                payable text NOT NULL
            );
            CREATE TABLE payments (
                id bigserial PRIMARY KEY,
                message_id bigint NOT NULL,
                payment_reference text NOT NULL,
                carrier text NOT NULL,
                office_sequence text NOT NULL,
                provider text NOT NULL,
                claim_reference text NOT NULL,
                amount text NOT NULL,
                claim_key text,
                recorded_at double precision NOT NULL,
                UNIQUE (payment_reference, carrier, office_sequence, provider, claim_reference)
            );
            CREATE TABLE pickups (
                id bigserial PRIMARY KEY,
                route text NOT NULL,
                source text NOT NULL,
                name text NOT NULL,
                sha256 text NOT NULL,
                size bigint NOT NULL,
                state text NOT NULL,
                recorded_at double precision NOT NULL,
                inbox_name text
            );
            CREATE INDEX pickups_by_name ON pickups (route, name);
            CREATE TABLE status_events (
                id bigserial PRIMARY KEY,
                transition_id bigint NOT NULL UNIQUE REFERENCES state_transitions (id),
                type text NOT NULL,
                payload bytea NOT NULL,
                outbox_id bigint
            );
            CREATE INDEX status_events_not_queued ON status_events (id) WHERE outbox_id IS NULL;
            """)
}
