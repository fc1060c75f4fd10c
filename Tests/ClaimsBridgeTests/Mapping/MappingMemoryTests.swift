import ClaimsBridgeTestSupport
import Foundation
import Testing

@testable import ClaimsBridge

/// Compiled mappings are freed when the catalog holding them goes away. LeakSanitizer reports the emit plans of
/// the catalog the suite keeps for its whole run (`Fixtures.catalog`) as leaked; this shows that nothing keeps
/// them once the catalog is dropped: no reference cycle holds a catalog or a mapping, and an emit plan (an enum
/// of rule numbers, arrays and keys, no objects) is freed with its mapping. Docs/sanitizers.md explains why
/// LeakSanitizer cannot follow the emit plan's pointers.
@Suite struct MappingMemoryTests {
    final class WeakMapping: @unchecked Sendable {
        weak var mapping: Mapping?
        init(_ mapping: Mapping) { self.mapping = mapping }
    }

    @Test func aDroppedCatalogFreesEveryMapping() throws {
        weak var weakCatalog: CDAnetCatalog?
        var weakMappings: [WeakMapping] = []
        do {
            let catalog = try CDAnetCatalog(directory: Fixtures.mappings.appendingPathComponent("cdanet").path)
            weakCatalog = catalog
            weakMappings = catalog.mappings.map(WeakMapping.init)
        }
        #expect(weakMappings.count > 10)
        #expect(weakCatalog == nil, "the catalog outlived its last reference")
        let kept = weakMappings.filter { $0.mapping != nil }.compactMap { $0.mapping?.name }
        #expect(kept.isEmpty, "mappings outlived their catalog: \(kept)")
    }
}
