package ai.agency.common.usage;

import java.time.Instant;
import java.util.UUID;

/**
 * One thing a user consumed, as recorded by the service that did the work and counted once by the owner (its
 * {@code id} is the idempotency key: a retried relay or a re-recorded event never counts twice).
 *
 * @param id unique per event; derived from the work's own id where there is one (a message, a memory, an execution)
 * @param userId whose usage it is
 * @param at when the work happened; its UTC date is the day it is counted on
 * @param kind one of {@link #KINDS}
 * @param subject {@code <provider>/<model>} for {@code tokens}, the tool's name for {@code tool_call}, the modality
 *     for {@code analysis}, empty otherwise
 * @param count how many (turns, calls, memories added or removed, analyses, steps); 0 for {@code tokens}
 * @param tokensIn prompt tokens ({@code tokens} only)
 * @param tokensOut completion tokens ({@code tokens} only)
 * @param bytes bytes stored ({@code memory_added} only)
 */
public record UsageEvent(
        UUID id,
        UUID userId,
        Instant at,
        String kind,
        String subject,
        long count,
        long tokensIn,
        long tokensOut,
        long bytes) {

    public static final String TOKENS = "tokens";
    public static final String TURN = "turn";
    public static final String TOOL_CALL = "tool_call";
    public static final String MEMORY_ADDED = "memory_added";
    public static final String MEMORY_REMOVED = "memory_removed";
    public static final String ANALYSIS = "analysis";
    public static final String WORKFLOW_STEP = "workflow_step";
    public static final java.util.Set<String> KINDS =
            java.util.Set.of(TOKENS, TURN, TOOL_CALL, MEMORY_ADDED, MEMORY_REMOVED, ANALYSIS, WORKFLOW_STEP);

    public static UsageEvent tokens(UUID id, UUID userId, String provider, String model, long in, long out) {
        return new UsageEvent(id, userId, Instant.now(), TOKENS, provider + "/" + model, 0, in, out, 0);
    }

    public static UsageEvent turn(UUID id, UUID userId) {
        return new UsageEvent(id, userId, Instant.now(), TURN, "", 1, 0, 0, 0);
    }

    public static UsageEvent toolCall(UUID id, UUID userId, String tool) {
        return new UsageEvent(id, userId, Instant.now(), TOOL_CALL, tool, 1, 0, 0, 0);
    }

    public static UsageEvent memoryAdded(UUID id, UUID userId, long bytes) {
        return new UsageEvent(id, userId, Instant.now(), MEMORY_ADDED, "", 1, 0, 0, bytes);
    }

    public static UsageEvent memoriesRemoved(UUID id, UUID userId, long count) {
        return new UsageEvent(id, userId, Instant.now(), MEMORY_REMOVED, "", count, 0, 0, 0);
    }

    public static UsageEvent analysis(UUID id, UUID userId, String modality) {
        return new UsageEvent(id, userId, Instant.now(), ANALYSIS, modality, 1, 0, 0, 0);
    }

    public static UsageEvent workflowStep(UUID id, UUID userId) {
        return new UsageEvent(id, userId, Instant.now(), WORKFLOW_STEP, "", 1, 0, 0, 0);
    }

    /** A stable id for work identified by text (a run's step attempt): the same work always gets the same id. */
    public static UUID idOf(String work) {
        return UUID.nameUUIDFromBytes(work.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
