import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Compiled mappings are freed when the catalog holding them goes away. LeakSanitizer reports the emit plans of
/// the catalog the suite keeps for its whole run (`Fixtures.catalog`) as leaked; this shows that what it reports
/// is reachable, not lost: loading and dropping the catalog again and again does not make the heap grow, while
/// keeping the catalogs does. (Docs/sanitizers.md explains why LeakSanitizer cannot see these pointers.)
///
/// Under AddressSanitizer freed memory is held in quarantine, so the measure means nothing there.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil))
struct MappingMemoryTests {
    static let folder = Fixtures.mappings.appendingPathComponent("cdanet").path

    @Test func loadingTheCatalogAgainAndAgainDoesNotGrowTheHeap() throws {
        for _ in 0..<3 { _ = try CDAnetCatalog(directory: Self.folder) }
        // What 10 catalogs kept alive take: the measure of one catalog.
        let beforeKept = BufferOwnershipTests.heapInUse()
        let kept = try (0..<10).map { _ in try CDAnetCatalog(directory: Self.folder) }
        let perCatalog = (BufferOwnershipTests.heapInUse() - beforeKept) / kept.count
        #expect(perCatalog > 0)
        // 100 catalogs loaded and dropped: a leak of what one holds would grow the heap by 100 times that.
        let before = BufferOwnershipTests.heapInUse()
        for _ in 0..<100 { _ = try CDAnetCatalog(directory: Self.folder) }
        let growth = BufferOwnershipTests.heapInUse() - before
        #expect(growth < perCatalog * 5, "the heap grew by \(growth) bytes; one catalog holds \(perCatalog)")
        withExtendedLifetime(kept) {}
    }
}
