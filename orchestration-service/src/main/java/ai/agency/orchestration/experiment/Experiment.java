package ai.agency.orchestration.experiment;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An A/B experiment between versions of one agent: each user who chats with the agent while it runs is assigned one
 * variant (by weight) and keeps it. {@code status}: running, paused (everyone gets the current version) or ended (a
 * winner was promoted: {@code winner}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Experiment(
        UUID id,
        UUID agentId,
        @JsonIgnore UUID ownerId,
        String name,
        String status,
        List<Variant> variants,
        Integer winner,
        Instant createdAt,
        Instant updatedAt) {

    static final String RUNNING = "running";
    static final String PAUSED = "paused";
    static final String ENDED = "ended";

    /** A version of the agent and its share of the traffic (relative to the other variants' weights). */
    public record Variant(int version, double weight) {}

    /**
     * The variant of a user: a point in [0, 1) taken from a hash of experiment and user, placed on the variants'
     * cumulative weights. Deterministic, so a user lands in the same variant on every instance.
     */
    int pick(UUID userId) {
        double total = variants.stream().mapToDouble(Variant::weight).sum();
        double point = Assignments.unitHash(id, userId) * total;
        for (Variant variant : variants) {
            point -= variant.weight();
            if (point < 0) {
                return variant.version();
            }
        }
        return variants.getLast().version();
    }

    boolean hasVersion(int version) {
        return variants.stream().anyMatch(v -> v.version() == version);
    }
}
