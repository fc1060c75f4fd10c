/// The steps a file goes through, in order. After a crash at any point the watcher resumes from the
/// ledger and the folders, so every step is safe to repeat.
public enum ProcessingStep: String, CaseIterable, Sendable {
    /// Renamed from the inbox into `processing/` (an exclusive claim).
    case claimed
    /// Hashed and recorded in the ledger.
    case recorded
    /// Translated into a temporary output next to it.
    case translated
    /// Results handed to the outbox.
    case queued
    /// Ledger updated with the counts and deliveries.
    case ledgerUpdated
    /// Original renamed into `archive/<date>/` or `error/`; the ledger not yet told.
    case movedOut
    /// The ledger records where the original now is; the file is done.
    case filed
}
