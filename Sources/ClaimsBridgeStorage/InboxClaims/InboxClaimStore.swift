import Foundation

/// One file dropped into an inbox, as every worker watching that inbox sees it: the route, the file's name, its size
/// and its modification time. A file renamed into `processing/` keeps all four, so the key names the same file
/// before and after it is taken; a file dropped again later under the same name has another modification time and
/// is a new file.
public struct InboxFileKey: Hashable, Sendable {
    public var route: String
    public var name: String
    public var size: Int64
    /// Nanoseconds since 1970.
    public var modifiedNanoseconds: Int64

    public init(route: String, name: String, size: Int64, modifiedNanoseconds: Int64) {
        (self.route, self.name, self.size, self.modifiedNanoseconds) = (route, name, size, modifiedNanoseconds)
    }

    /// The key of the regular file at `path`, or nil when there is none (another worker moved it first).
    public init?(route: String, name: String, path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.init(
            route: route, name: name, size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    /// The key as one string, for logs of numbers and allocations (it holds the file name: never log it).
    public var identity: String { "inbox:\(route)/\(size)/\(modifiedNanoseconds)/\(name)" }
}

/// A worker's hold on one inbox file. The token is the fence: it grows with every claim, and only the holder of the
/// latest token can renew the lease or finish the file.
public struct InboxClaim: Hashable, Sendable {
    public let key: InboxFileKey
    public let token: Int64
}

/// What the store knows of one file's claim.
public struct InboxClaimRecord: Equatable, Sendable {
    public var worker: String
    public var token: Int64
    public var finished: Bool
    public var leaseExpiresAt: Double
    /// How many times a worker took the file over from another whose lease had run out.
    public var takeovers: Int
}

/// Where workers sharing an inbox folder claim its files, so that two workers never process one file and a dead
/// worker's file is taken over once its lease runs out. ``SQLiteInboxClaimStore`` keeps the claims in a file of one
/// machine; ``PostgreSQLInboxClaimStore`` in the database every machine shares.
///
/// The rules both keep:
/// - A claim succeeds when nobody holds the file, when its holder's lease ran out (a takeover), or when the same
///   worker claims it again (a restarted worker resuming its own file). It never succeeds for a finished file.
/// - Every successful claim gets a token greater than any before it.
/// - Renewing and finishing name the token, and do nothing once another claim replaced it.
/// - Times are the caller's, seconds since 1970.
public protocol InboxClaimStore: AnyObject {
    /// Claims `key` for `worker` until `now + leaseSeconds`; nil when another worker holds it or it is finished.
    func claim(_ key: InboxFileKey, worker: String, leaseSeconds: Double, now: Double) throws -> InboxClaim?
    /// Extends the lease; false when another worker has claimed the file since (or it was finished).
    func renew(_ claim: InboxClaim, leaseSeconds: Double, now: Double) throws -> Bool
    /// Marks the file finished; false when another worker has claimed it since.
    func finish(_ claim: InboxClaim, now: Double) throws -> Bool
    /// Deletes the rows of files finished before `time`, and of claims whose lease ended before `time` (a worker killed
    /// after filing a file away, before finishing its claim); returns how many.
    @discardableResult
    func deleteFinished(before time: Double) throws -> Int
    /// The claim of `key`, if any.
    func record(_ key: InboxFileKey) throws -> InboxClaimRecord?
    /// The latest claim (the highest token) of a file named `name` of `size` bytes on `route`, whatever its
    /// modification time: for a file whose original has left `processing/`, so that its key cannot be read from it.
    func latest(route: String, name: String, size: Int64) throws -> (key: InboxFileKey, record: InboxClaimRecord)?
}

/// The table both engines keep, in their own dialects.
enum InboxClaimSchema {
    static func table(tokenType: String, timeType: String) -> String {
        """
        CREATE TABLE inbox_claims (
            route text NOT NULL,
            name text NOT NULL,
            size bigint NOT NULL,
            modified_ns bigint NOT NULL,
            worker text NOT NULL,
            token \(tokenType) NOT NULL UNIQUE,
            state text NOT NULL CHECK (state IN ('claimed', 'finished')),
            lease_expires_at \(timeType) NOT NULL,
            takeovers integer NOT NULL DEFAULT 0,
            claimed_at \(timeType) NOT NULL,
            finished_at \(timeType),
            PRIMARY KEY (route, name, size, modified_ns)
        );
        CREATE INDEX inbox_claims_finished ON inbox_claims (finished_at) WHERE state = 'finished';
        """
    }

    /// Inserts a claim, or takes over an expired one (or the worker's own), returning the new token. `$1`…`$4` the
    /// key, `$5` the worker, `$6` the lease's end, `$7` now; `newToken` is the engine's expression for a token
    /// greater than any before.
    static func claim(newToken: String) -> String {
        """
        INSERT INTO inbox_claims AS c (route, name, size, modified_ns, worker, token, state, lease_expires_at, claimed_at)
        VALUES ($1, $2, $3, $4, $5, \(newToken), 'claimed', $6, $7)
        ON CONFLICT (route, name, size, modified_ns) DO UPDATE
            SET worker = excluded.worker, token = excluded.token, lease_expires_at = excluded.lease_expires_at,
                claimed_at = excluded.claimed_at,
                takeovers = c.takeovers + CASE WHEN c.worker = excluded.worker THEN 0 ELSE 1 END
            WHERE c.state = 'claimed' AND (c.lease_expires_at < excluded.claimed_at OR c.worker = excluded.worker)
        RETURNING token
        """
    }
    static let renew = """
        UPDATE inbox_claims SET lease_expires_at = $2 WHERE token = $1 AND state = 'claimed' RETURNING token
        """
    static let finish = """
        UPDATE inbox_claims SET state = 'finished', finished_at = $2 WHERE token = $1 AND state = 'claimed'
        RETURNING token
        """
    static let deleteFinished = """
        DELETE FROM inbox_claims
        WHERE (state = 'finished' AND finished_at < $1) OR (state = 'claimed' AND lease_expires_at < $1)
        RETURNING token
        """
    static let record = """
        SELECT worker, token, state, lease_expires_at, takeovers FROM inbox_claims
        WHERE route = $1 AND name = $2 AND size = $3 AND modified_ns = $4
        """
    /// The columns of ``record`` and the modification time, of the latest claim of `$1`…`$3` (route, name, size).
    static let latest = """
        SELECT worker, token, state, lease_expires_at, takeovers, modified_ns FROM inbox_claims
        WHERE route = $1 AND name = $2 AND size = $3 ORDER BY token DESC LIMIT 1
        """
}
