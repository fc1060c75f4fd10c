public import ClaimsBridgeStorage
public import ClaimsBridgeTransports
import Foundation

/// Everything `claimsbridge watch` runs: where it keeps its state, and the routes from inbox folders
/// through a translation to one or more transports. Loaded from a routes file with
/// ``WatchConfiguration/load(path:)``; every problem is reported as `file:line` before anything is touched.
public struct WatchConfiguration: Sendable {
    /// The folder holding the ledger (`ledger.sqlite`) and, unless the delivery configuration says otherwise,
    /// the outbox (`outbox.sqlite`).
    public var stateDirectory: String
    /// The layouts and mappings folder, when the routes file names one.
    public var mappingsDirectory: String?
    /// The delivery configuration (`claimsbridge send`'s file) naming the destinations and the outbox.
    public var deliveryConfigurationPath: String?
    /// The outbox the results are queued in; the delivery configuration's when there is one.
    public var outboxPath: String
    /// Where the outbox keeps its rows, when the delivery configuration's `store:` names a PostgreSQL database;
    /// nil keeps them in the SQLite file ``outboxPath``.
    public var outboxStore: OutboxStoreLocation?
    /// The outbox's store: ``outboxStore``, or else the SQLite file ``outboxPath``.
    public var outboxLocation: OutboxStoreLocation { outboxStore ?? .sqlite(path: outboxPath) }
    /// Whether the outbox may hold rows: a PostgreSQL store always may; an SQLite file once it exists.
    public var outboxExists: Bool { outboxStore != nil || DurableFiles.exists(outboxPath) }
    /// Where the ledger lives: in the PostgreSQL store with the outbox when `store:` names one, else in
    /// `<state>/ledger.sqlite`.
    public var ledgerLocation: LedgerLocation {
        if case .postgreSQL(let store) = outboxStore { return .postgreSQL(store) }
        return .sqlite(path: stateDirectory + "/ledger.sqlite")
    }
    /// How often every inbox is listed in full, as a safety net under change notifications.
    public var rescanInterval: Duration
    /// Where `/metrics` and `/healthz` are served (`host:port`), if anywhere.
    public var listenAddress: String?
    /// The routes, in file order.
    public var routes: [Route]
    /// The file this configuration was read from.
    public var file: String
    /// The mode and group of the state folder and the ledger (`stateFileMode`, `stateGroup`); owner-only by default.
    public var statePermissions: FilePermissions = .ownerOnly
    /// Whether the watcher refuses to start, rather than warn, when a file holding personal data or a secret is
    /// open to other accounts (`openPermissions: refuse`).
    public var refusesOpenPermissions = false
    /// Secret files and private keys the destinations read, checked like the state files at start.
    public var privateFiles: [(what: String, path: String)] = []
    /// Encrypts the outbox's payloads, archived and failed originals and rejects files (the delivery
    /// configuration's `encryption:`); nil stores them as they are.
    public var payloadCipher: PayloadCipher?
    /// How long payloads and archived originals are kept (the delivery configuration's `retention:`).
    public var retention = RetentionPolicy()
    /// The destination each claim or lab-order state change is delivered to as a status event (`statusEvents:`).
    public var statusEventsDestination: String?
    /// Carriers' mailboxes asked for outstanding answers on a schedule (`mailboxes:`).
    public var mailboxes: [Mailbox] = []

    /// A carrier's (or network's) mailbox: the watcher sends outstanding-transactions requests (04) to
    /// `destination` until the carrier says there is nothing more (14), and drops every answer it releases into the
    /// inbox of route `replies`, where it is translated and matched to its claim like any reply.
    public struct Mailbox: Sendable, Equatable {
        public var name: String
        /// A `carrier` destination of the delivery configuration.
        public var destination: String
        /// The route whose inbox receives the answers.
        public var replies: String
        /// A01, the prefix the network assigned to the office.
        public var transactionPrefix: String
        /// A03, the software's CDA identification.
        public var softwareSystemId: String
        /// A05: the carrier, or `999999` for a network's mailbox (not sent in version 02, whose 04 has no A05).
        public var carrierId: String
        /// A03: `04`, or `02` for a carrier still on version 02 (its request for pended claims, 04, ends with an 11
        /// carrying error 004 or 049, or the text `NO MORE ITEMS`, instead of a 14).
        public var version = "04"
        /// B01 and B02: the provider and office whose answers are asked for.
        public var providerNumber: String
        public var officeNumber: String
        public var interval: Duration
        /// The most requests one poll sends (a mailbox that never says "no more" is not asked forever).
        public var maximumRequests: Int = 100

        public init(
            name: String, destination: String, replies: String, transactionPrefix: String, softwareSystemId: String,
            carrierId: String, providerNumber: String, officeNumber: String, interval: Duration = .seconds(900)
        ) {
            self.name = name
            self.destination = destination
            self.replies = replies
            self.transactionPrefix = transactionPrefix
            self.softwareSystemId = softwareSystemId
            self.carrierId = carrierId
            self.providerNumber = providerNumber
            self.officeNumber = officeNumber
            self.interval = interval
        }
    }

    /// Payment and summary reconciliations asked for on a schedule (`reconciliations:`).
    public var reconciliations: [Reconciliation] = []

    /// A carrier's (or network's) reconciliations: the watcher sends payment reconciliation requests (06, page after
    /// page until the last) and a summary reconciliation request (05) for a day to `carrier.destination`, and drops
    /// every answer (16, 15) into the inbox of route `carrier.replies`, where its payment lines are matched to the
    /// claims they pay. Version 04 only: version 02 has no reconciliation.
    public struct Reconciliation: Sendable, Equatable {
        /// Which reconciliation requests are sent.
        public enum Request: String, Sendable, Equatable, CaseIterable {
            /// 06 → 16, page by page.
            case payment
            /// 05 → 15.
            case summary
        }

        /// The carrier's numbers, destination, reply route and schedule, given as a mailbox's are.
        public var carrier: Mailbox
        public var requests: [Request]
        /// The day reconciled is this many days before the day of the run (UTC); 1 asks for yesterday's payments.
        public var daysBack: Int
        /// B03 and B04 of the payment reconciliation request: the billing provider and office (default: the
        /// treating provider's).
        public var billingProvider: String?
        public var billingOffice: String?

        public var name: String { carrier.name }

        public init(
            carrier: Mailbox, requests: [Request] = Request.allCases, daysBack: Int = 1, billingProvider: String? = nil,
            billingOffice: String? = nil
        ) {
            self.carrier = carrier
            self.requests = requests
            self.daysBack = daysBack
            self.billingProvider = billingProvider
            self.billingOffice = billingOffice
        }
    }

    public init(
        stateDirectory: String, mappingsDirectory: String? = nil, deliveryConfigurationPath: String? = nil,
        outboxPath: String? = nil, rescanInterval: Duration = .seconds(30), listenAddress: String? = nil,
        routes: [Route], file: String = "routes.yaml"
    ) {
        self.stateDirectory = stateDirectory
        self.mappingsDirectory = mappingsDirectory
        self.deliveryConfigurationPath = deliveryConfigurationPath
        self.outboxPath = outboxPath ?? stateDirectory + "/outbox.sqlite"
        self.rescanInterval = rescanInterval
        self.listenAddress = listenAddress
        self.routes = routes
        self.file = file
    }
}

/// One inbox folder, what to do with the files dropped in it, and where the results go.
public struct Route: Sendable, Equatable {
    /// A short unique name, used in the ledger, logs and delivery keys.
    public var name: String
    /// The folder the files are dropped in. `processing/`, `archive/`, `error/` and `rejects/` are made inside it
    /// unless set otherwise, so that every move is a rename on one file system.
    public var inbox: String
    /// Shell-style patterns a file name must match (`*.txt`); empty means every file.
    public var patterns: [String]
    /// How a file is known to be complete.
    public var readiness: Readiness
    /// The translation applied to each file.
    public var translation: Translation
    /// Names of the transports each result is delivered through.
    public var transports: [String]
    /// Whether a file whose content was already processed is processed again (otherwise it is a duplicate).
    public var allowsResubmission: Bool
    /// The route whose inbox receives the response bodies of this route's HTTPS deliveries (a carrier's
    /// synchronous reply), so that they are translated and matched to their requests like reply files.
    public var replyRoute: String?
    /// Folders, each defaulting to a subfolder of the inbox.
    public var processingDirectory: String
    public var archiveDirectory: String
    public var errorDirectory: String
    public var rejectsDirectory: String
    /// Where files for this inbox are fetched from (`pickup:`), or nil when they are dropped into it.
    public var pickup: Pickup?

    /// Files fetched into the inbox from a partner's SFTP folder or a local folder, each exactly once.
    public struct Pickup: Sendable, Equatable {
        /// The delivery configuration's destination (`sftp` or `folder`) whose connection is used.
        public var source: String
        /// The folder to read (for SFTP, a remote path); nil: the destination's own folder.
        public var folder: String?
        /// Shell-style patterns a file name must match; empty means every file.
        public var patterns: [String]
        /// Whether a file is removed from the source once it is recorded and in the inbox (otherwise it stays,
        /// and the same name with the same content is never fetched again).
        public var removeAfterPickup: Bool
        /// How often the source is read.
        public var interval: Duration

        public init(
            source: String, folder: String? = nil, patterns: [String] = [], removeAfterPickup: Bool = true,
            interval: Duration = .seconds(60)
        ) {
            self.source = source
            self.folder = folder
            self.patterns = patterns
            self.removeAfterPickup = removeAfterPickup
            self.interval = interval
        }
    }

    public init(
        name: String, inbox: String, patterns: [String] = [], readiness: Readiness = .stableFor(.seconds(2)),
        translation: Translation, transports: [String], allowsResubmission: Bool = false, replyRoute: String? = nil,
        processingDirectory: String? = nil, archiveDirectory: String? = nil, errorDirectory: String? = nil,
        rejectsDirectory: String? = nil
    ) {
        self.name = name
        self.inbox = inbox
        self.patterns = patterns
        self.readiness = readiness
        self.translation = translation
        self.transports = transports
        self.allowsResubmission = allowsResubmission
        self.replyRoute = replyRoute
        self.processingDirectory = processingDirectory ?? inbox + "/processing"
        self.archiveDirectory = archiveDirectory ?? inbox + "/archive"
        self.errorDirectory = errorDirectory ?? inbox + "/error"
        self.rejectsDirectory = rejectsDirectory ?? inbox + "/rejects"
    }

    /// How the watcher decides a dropped file is complete.
    public enum Readiness: Sendable, Equatable {
        /// Size and modification time unchanged for this long.
        case stableFor(Duration)
        /// A marker file `<name><suffix>` exists next to it (the marker is archived with it).
        case doneMarker(suffix: String)
    }

    /// The translation of a file's content.
    public enum Translation: Sendable, Equatable, CustomStringConvertible {
        /// CDAnet messages to model JSON Lines.
        case cdanetToJSON
        /// Model JSON Lines to CDAnet messages.
        case jsonToCDAnet
        /// Through a tree mapping: RAMQ batches, XML or partner JSON, either way.
        case tree(TreeRoute)
        /// To or from a lab's formats: lab orders to its order documents and back, its status messages.
        case lab(LabRoute)
        /// Delivered as it is.
        case none

        /// The file-name extension of the translated output.
        public var outputExtension: String {
            switch self {
            case .cdanetToJSON: "jsonl"
            case .jsonToCDAnet: "txt"
            case .tree(let tree): tree.outputExtension
            case .lab(let lab): lab.outputExtension
            case .none: ""
            }
        }

        public var description: String {
            switch self {
            case .cdanetToJSON: "cdanet → json"
            case .jsonToCDAnet: "json → cdanet"
            case .tree(let tree): "\(tree.from) → \(tree.to) (\(tree.mapping))"
            case .lab(let lab): "\(lab.from) → \(lab.to)" + (lab.orders.map { " (known orders: \($0))" } ?? "")
            case .none: "none (delivered as it is)"
            }
        }
    }

    /// A translation to or from a lab's formats (`Mappings/labs/NAME/`).
    public struct LabRoute: Sendable, Equatable {
        /// `lab-order`, `lab:NAME` or `lab:NAME-status`.
        public var from: String
        /// `lab:NAME`, `lab-order` or `json`.
        public var to: String
        /// The known orders (JSON Lines of `labOrder`), for status messages; read again for each file.
        public var orders: String?
        /// `xml` or `json` for order documents (the lab's format), `jsonl` for what is read from the lab.
        public var outputExtension: String

        public init(from: String, to: String, orders: String? = nil, outputExtension: String) {
            self.from = from
            self.to = to
            self.orders = orders
            self.outputExtension = outputExtension
        }
    }

    /// A translation through a tree mapping.
    public struct TreeRoute: Sendable, Equatable {
        public var from: String
        public var to: String
        /// The mapping file: a path, or relative to the mappings folder when `isBundled`.
        public var mapping: String
        public var isBundled: Bool
        /// Model JSON Lines → the partner format (otherwise the partner format → model JSON Lines).
        public var writes: Bool
        /// Values for the mapping's parameters (for RAMQ: transmitter, provider, establishment…).
        public var parameters: [String: String]
        public var outputExtension: String

        public init(
            from: String, to: String, mapping: String, isBundled: Bool, writes: Bool, parameters: [String: String] = [:],
            outputExtension: String
        ) {
            self.from = from
            self.to = to
            self.mapping = mapping
            self.isBundled = isBundled
            self.writes = writes
            self.parameters = parameters
            self.outputExtension = outputExtension
        }

        /// The mapping file's path, given the mappings folder.
        public func mappingPath(mappingsDirectory: String) -> String {
            isBundled ? (mappingsDirectory as NSString).appendingPathComponent(mapping) : mapping
        }
    }
}

extension Route {
    /// The name a file's result is delivered under: the original's stem with the output's extension, shortened
    /// if needed to stay within the file name limit.
    public func deliveryName(for name: String) -> String {
        let suffix = translation.outputExtension
        guard !suffix.isEmpty else { return name }
        return FileNameLength.fitting((name as NSString).deletingPathExtension + "." + suffix)
    }
}
