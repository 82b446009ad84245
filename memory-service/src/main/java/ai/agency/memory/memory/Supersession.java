package ai.agency.memory.memory;

import ai.agency.common.error.AgencyException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Facts that change: closes the memories a new one supersedes, inside the add's transaction. Three sources, from
 * the most to the least explicit: the caller's {@code supersedes} (checked: the caller's own current memories, else
 * 404/409), the LLM extraction's (only memories it was shown; others ignored), and, for an add that yields one
 * memory, the rule: memories of the same scope whose metadata carries the same {@code entity} and {@code attribute}
 * strings. A memory is only ever closed by one that starts no later than it ends: a closed memory's interval is
 * {@code [validFrom, invalidAt)} with {@code invalidAt} the newer memory's {@code validFrom}.
 */
@Component
class Supersession {

    static final String EVENT = "SUPERSEDE";

    private final MemoryRepository reads;
    private final MemoryWrites writes;

    Supersession(MemoryRepository reads, MemoryWrites writes) {
        this.reads = reads;
        this.writes = writes;
    }

    /**
     * The caller's {@code supersedes}: each must be the owner's live memory (else 404, as for someone else's), still
     * holding (else 409), starting no later than {@code newer} (else 400); all are closed or none (409 when a
     * concurrent add closed one first: the transaction rolls back).
     */
    List<MemoryService.AddResult> closeNamed(UUID owner, UUID actor, UUID newerId, List<UUID> ids) {
        Memory newer = reads.find(owner, newerId).orElseThrow(() -> AgencyException.notFound("memory", newerId));
        for (UUID id : ids) {
            Memory older = reads.find(owner, id).orElseThrow(() -> AgencyException.notFound("memory", id));
            if (id.equals(newerId)) {
                throw AgencyException.invalidField("supersedes", "memory " + id + " is the one this add stores");
            }
            if (older.invalidAt() != null) {
                throw AgencyException.conflict("Memory " + id + " no longer holds: it was superseded by "
                        + older.supersededBy() + " at " + older.invalidAt());
            }
            if (older.validFrom().isAfter(newer.validFrom())) {
                throw AgencyException.invalidField(
                        "supersedes",
                        "memory " + id + " holds from " + older.validFrom() + ", after this one (validFrom "
                                + newer.validFrom() + ")");
            }
        }
        List<MemoryService.AddResult> closed = close(owner, actor, newerId, ids);
        if (closed.size() != ids.size()) {
            throw AgencyException.conflict("A memory named in 'supersedes' was superseded meanwhile; try again");
        }
        return closed;
    }

    /** The LLM's findings: closes those that still hold and start no later than {@code newerId}; others are left. */
    List<MemoryService.AddResult> closeFound(UUID owner, UUID actor, UUID newerId, Collection<UUID> ids) {
        return ids.isEmpty() ? List.of() : close(owner, actor, newerId, List.copyOf(ids));
    }

    /**
     * The rule, for an add that yields one memory: when its metadata has string {@code entity} and {@code attribute},
     * the scope's other memories with the same two make a timeline ordered by {@code validFrom}: the current ones
     * starting no later than it are closed by it; if one (current or closed) starts later — an older fact added after
     * newer ones — the earliest such closes the new memory at once. Intervals already closed are not re-cut.
     */
    List<MemoryService.AddResult> closeSameAttribute(UUID owner, UUID actor, UUID newerId) {
        Optional<Memory> found = reads.find(owner, newerId);
        if (found.isEmpty()) {
            return List.of();
        }
        Memory newer = found.get();
        if (!(newer.metadata().get("entity") instanceof String entity)
                || !(newer.metadata().get("attribute") instanceof String attribute)
                || entity.isBlank()
                || attribute.isBlank()
                || newer.invalidAt() != null) {
            return List.of();
        }
        List<UUID> earlier = new ArrayList<>();
        Memory later = null;
        for (Memory other : reads.sameAttribute(owner, newer.agentId(), newer.sessionId(), entity, attribute)) {
            if (other.id().equals(newerId)) {
                continue;
            }
            if (!other.validFrom().isAfter(newer.validFrom())) {
                if (other.invalidAt() == null) {
                    earlier.add(other.id());
                }
            } else if (later == null) {
                later = other; // the earliest of the later ones (sameAttribute orders by validFrom)
            }
        }
        List<MemoryService.AddResult> closed = new ArrayList<>(closeFound(owner, actor, newerId, earlier));
        if (later != null) {
            closed.addAll(close(owner, actor, later.id(), List.of(newerId)));
        }
        return closed;
    }

    private List<MemoryService.AddResult> close(UUID owner, UUID actor, UUID newerId, List<UUID> ids) {
        return writes.close(owner, newerId, ids, actor).stream()
                .map(c -> new MemoryService.AddResult(c.id(), c.memory(), EVENT))
                .toList();
    }
}
