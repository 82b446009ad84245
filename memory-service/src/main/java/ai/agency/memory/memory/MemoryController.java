package ai.agency.memory.memory;

import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import ai.agency.memory.filter.MemoryFilters;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** The memories REST API of api.md. Admins may add {@code ?userId=} to act on another user's memories. */
@RestController
@Validated
class MemoryController {

    private final MemoryService memories;
    private final MemoryExport export;

    MemoryController(MemoryService memories, MemoryExport export) {
        this.memories = memories;
        this.export = export;
    }

    record AddResponse(List<MemoryService.AddResult> results) {}

    record History(List<MemoryHistory.HistoryEntry> items) {}

    record Erased(int deleted) {}

    @PostMapping("/api/v1/memories")
    @ResponseStatus(HttpStatus.CREATED)
    AddResponse add(
            @Valid @RequestBody AddMemoryRequest request,
            @RequestParam(required = false) @Nullable UUID userId,
            Caller caller) {
        return new AddResponse(memories.add(caller, userId, request));
    }

    @GetMapping("/api/v1/memories")
    Page<Memory> list(
            @RequestParam(required = false) @Nullable @Size(max = 128) String agentId,
            @RequestParam(required = false) @Nullable @Size(max = 128) String sessionId,
            @RequestParam(required = false) @Nullable @Size(max = 32) List<@Size(max = 64) String> tags,
            @RequestParam(required = false) @Nullable @Size(max = 32) List<@Size(max = 64) String> tagsAll,
            @RequestParam(required = false) @Nullable Instant createdAfter,
            @RequestParam(required = false) @Nullable Instant createdBefore,
            @RequestParam(required = false) @Nullable @DecimalMin("0") @DecimalMax("1") Double minImportance,
            @RequestParam(required = false) @Nullable Instant asOf,
            @RequestParam(required = false) @Nullable Boolean includeInvalid,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable UUID userId,
            Caller caller) {
        MemoryFilters filters = MemoryFilters.of(
                        agentId, sessionId, tags, tagsAll, createdAfter, createdBefore, minImportance)
                .holdingAt(asOf, includeInvalid);
        int size = Page.limit(limit);
        List<Memory> rows = memories.page(caller, userId, filters, Cursor.keyset(cursor), size + 1);
        return Page.of(rows, size, m -> Cursor.of(m.createdAt(), m.id()));
    }

    @GetMapping(path = "/api/v1/memories/export", produces = "application/x-ndjson")
    ResponseEntity<StreamingResponseBody> export(@RequestParam(required = false) @Nullable UUID userId, Caller caller) {
        UUID owner = MemoryService.owner(caller, userId);
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType("application/x-ndjson"))
                .header("Content-Disposition", "attachment; filename=\"memories.ndjson\"")
                .body(out -> export.write(owner, out));
    }

    @GetMapping("/api/v1/memories/{id}")
    Memory get(@PathVariable UUID id, @RequestParam(required = false) @Nullable UUID userId, Caller caller) {
        return memories.get(caller, userId, id);
    }

    @PatchMapping("/api/v1/memories/{id}")
    Memory patch(
            @PathVariable UUID id,
            @Valid @RequestBody PatchMemoryRequest request,
            @RequestParam(required = false) @Nullable UUID userId,
            Caller caller) {
        return memories.patch(caller, userId, id, request);
    }

    @DeleteMapping("/api/v1/memories/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable UUID id, @RequestParam(required = false) @Nullable UUID userId, Caller caller) {
        memories.delete(caller, userId, id);
    }

    @GetMapping("/api/v1/memories/{id}/history")
    History history(@PathVariable UUID id, @RequestParam(required = false) @Nullable UUID userId, Caller caller) {
        return new History(memories.history(caller, userId, id));
    }

    @DeleteMapping("/api/v1/memories")
    Erased eraseAll(
            @RequestParam(required = false) @Nullable @Size(max = 128) String agentId,
            @RequestParam(required = false) @Nullable @Size(max = 128) String sessionId,
            @RequestParam(required = false) @Nullable UUID userId,
            Caller caller) {
        return new Erased(memories.eraseAll(caller, userId, agentId, sessionId));
    }
}
