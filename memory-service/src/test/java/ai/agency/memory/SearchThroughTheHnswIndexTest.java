package ai.agency.memory;

import org.springframework.test.context.TestPropertySource;

/**
 * The search tests again, with the dense ranking forced through the shared HNSW index (iterative scans) instead of
 * the exact scan of the caller's rows that small users get: both branches must find the same memories and honour
 * the same filters and isolation.
 */
@TestPropertySource(properties = "agency.memory.search.exact-scan-max-rows=0")
class SearchThroughTheHnswIndexTest extends SearchMemoryTest {}
