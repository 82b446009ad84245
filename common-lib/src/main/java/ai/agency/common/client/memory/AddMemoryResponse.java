package ai.agency.common.client.memory;

import java.util.List;
import java.util.UUID;

/** Answer of {@code POST /api/v1/memories}: what became of each fact. */
public record AddMemoryResponse(List<Result> results) {

    public AddMemoryResponse {
        results = results == null ? List.of() : results;
    }

    /**
     * One fact: {@code event} is {@code ADD}, {@code UPDATE} or {@code NOOP} (memory-service already held it), or
     * {@code SUPERSEDE} for a current memory the add closed.
     */
    public record Result(UUID id, String memory, String event) {}
}
