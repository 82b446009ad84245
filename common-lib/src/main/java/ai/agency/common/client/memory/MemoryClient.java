package ai.agency.common.client.memory;

import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.PostExchange;

/**
 * The part of memory-service's API that other services call (orchestration's recall and extraction, tool-service's
 * {@code add_memory} and {@code search_memory}), declared once. Create it with {@code clients.create("memory",
 * MemoryClient.class)}; the bearer token is passed explicitly, so a call acts as the user on any thread.
 */
public interface MemoryClient {

    /** {@code POST /api/v1/memories}: stores a memory, or lets memory-service extract facts from messages. */
    @PostExchange("/api/v1/memories")
    AddMemoryResponse add(@RequestHeader(HttpHeaders.AUTHORIZATION) String bearer, @RequestBody AddMemoryRequest body);

    /** {@code POST /api/v1/memories/search}: the caller's memories that match, best first. */
    @PostExchange("/api/v1/memories/search")
    SearchMemoryResponse search(
            @RequestHeader(HttpHeaders.AUTHORIZATION) String bearer, @RequestBody SearchMemoryRequest body);
}
