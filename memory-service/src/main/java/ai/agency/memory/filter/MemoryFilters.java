package ai.agency.memory.filter;

import ai.agency.common.error.AgencyException;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Narrowing of a search or a listing. Every filter is a real SQL condition on an indexed column (tags: GIN,
 * metadata: GIN jsonb_path_ops); unknown keys are refused with a 400 instead of silently matching nothing. Whatever
 * the filters, only memories that hold now are matched (not closed by a newer one, or closed at a time still to
 * come), unless the request asks for what held at an instant ({@code asOf}) or for all ({@code includeInvalid}):
 * see {@link #holdingAt}. That condition is a filter on the rows the user-id indexes find, so it keeps every plan.
 */
public final class MemoryFilters {

    @Size(max = 128)
    private @Nullable String agentId;

    @Size(max = 128)
    private @Nullable String sessionId;

    @Valid
    private @Nullable Tags tags;

    @Size(max = 32)
    private @Nullable Map<String, Object> metadata;

    private @Nullable Instant createdAfter;
    private @Nullable Instant createdBefore;

    @DecimalMin("0")
    @DecimalMax("1")
    private @Nullable Double minImportance;

    private final TreeSet<String> unknown = new TreeSet<>();

    /** Not filter keys: set by {@link #holdingAt} from the request's top-level {@code asOf}/{@code includeInvalid}. */
    private @Nullable Instant asOf;

    private boolean includeInvalid;

    /** Tag filter: {@code any} — at least one of them; {@code all} — every one of them. */
    public record Tags(
            @Size(max = 32) @Nullable List<@NotBlank @Size(max = 64) String> any,
            @Size(max = 32) @Nullable List<@NotBlank @Size(max = 64) String> all) {}

    public static MemoryFilters none() {
        return new MemoryFilters();
    }

    public static MemoryFilters of(
            @Nullable String agentId,
            @Nullable String sessionId,
            @Nullable List<String> tagsAny,
            @Nullable List<String> tagsAll,
            @Nullable Instant createdAfter,
            @Nullable Instant createdBefore,
            @Nullable Double minImportance) {
        MemoryFilters f = new MemoryFilters();
        f.agentId = agentId;
        f.sessionId = sessionId;
        f.tags = (tagsAny == null && tagsAll == null) ? null : new Tags(tagsAny, tagsAll);
        f.createdAfter = createdAfter;
        f.createdBefore = createdBefore;
        f.minImportance = minImportance;
        return f;
    }

    /**
     * Which memories count by time: those that held at {@code asOf} ({@code validFrom <= asOf} and not closed by then),
     * or with {@code includeInvalid} all of them; by default those that hold now. Both at once → 400.
     */
    public MemoryFilters holdingAt(@Nullable Instant asOf, @Nullable Boolean includeInvalid) {
        if (asOf != null && Boolean.TRUE.equals(includeInvalid)) {
            throw AgencyException.invalidField("includeInvalid", "give at most one of 'asOf' and 'includeInvalid'");
        }
        this.asOf = asOf;
        this.includeInvalid = Boolean.TRUE.equals(includeInvalid);
        return this;
    }

    @JsonAnySetter
    void unknownKey(String key, Object value) {
        unknown.add(key);
    }

    /** Refuses filter keys that do not exist (400 naming them). */
    public void requireKnownKeys() {
        if (!unknown.isEmpty()) {
            throw AgencyException.invalidField(
                    "filters",
                    "unknown filter keys " + unknown + "; known: agentId, sessionId, tags {any, all}, metadata, "
                            + "createdAfter, createdBefore, minImportance");
        }
        if (metadata != null) {
            for (var entry : metadata.entrySet()) {
                Object value = entry.getValue();
                if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                    throw AgencyException.invalidField(
                            "filters.metadata." + entry.getKey(), "must be a string, number or boolean");
                }
            }
        }
    }

    /** The SQL conditions (ANDed, each starting with " AND ") and their named parameters. */
    public Sql toSql(tools.jackson.databind.json.JsonMapper json) {
        requireKnownKeys();
        StringBuilder where = new StringBuilder();
        List<Map.Entry<String, Object>> params = new ArrayList<>();
        if (agentId != null) {
            where.append(" AND agent_id = :f_agent");
            params.add(Map.entry("f_agent", agentId));
        }
        if (sessionId != null) {
            where.append(" AND session_id = :f_session");
            params.add(Map.entry("f_session", sessionId));
        }
        if (tags != null && tags.any() != null && !tags.any().isEmpty()) {
            where.append(" AND tags && CAST(:f_tags_any AS text[])");
            params.add(Map.entry("f_tags_any", tags.any().toArray(String[]::new)));
        }
        if (tags != null && tags.all() != null && !tags.all().isEmpty()) {
            where.append(" AND tags @> CAST(:f_tags_all AS text[])");
            params.add(Map.entry("f_tags_all", tags.all().toArray(String[]::new)));
        }
        if (metadata != null && !metadata.isEmpty()) {
            where.append(" AND metadata @> CAST(:f_meta AS jsonb)");
            params.add(Map.entry("f_meta", json.writeValueAsString(metadata)));
        }
        if (createdAfter != null) {
            where.append(" AND created_at >= :f_after");
            params.add(Map.entry("f_after", java.sql.Timestamp.from(createdAfter)));
        }
        if (createdBefore != null) {
            where.append(" AND created_at < :f_before");
            params.add(Map.entry("f_before", java.sql.Timestamp.from(createdBefore)));
        }
        if (minImportance != null) {
            where.append(" AND importance >= :f_importance");
            params.add(Map.entry("f_importance", minImportance));
        }
        if (asOf != null) {
            where.append(" AND valid_from <= :f_as_of AND (invalid_at IS NULL OR invalid_at > :f_as_of)");
            params.add(Map.entry("f_as_of", java.sql.Timestamp.from(asOf)));
        } else if (!includeInvalid) {
            where.append(" AND (invalid_at IS NULL OR invalid_at > now())");
        }
        return new Sql(where.toString(), params);
    }

    /** SQL conditions with their parameters. */
    public record Sql(String where, List<Map.Entry<String, Object>> params) {
        public org.springframework.jdbc.core.simple.JdbcClient.StatementSpec bind(
                org.springframework.jdbc.core.simple.JdbcClient.StatementSpec spec) {
            for (var p : params) {
                spec = spec.param(p.getKey(), p.getValue());
            }
            return spec;
        }
    }

    public @Nullable String getAgentId() {
        return agentId;
    }

    public void setAgentId(@Nullable String agentId) {
        this.agentId = agentId;
    }

    public @Nullable String getSessionId() {
        return sessionId;
    }

    public void setSessionId(@Nullable String sessionId) {
        this.sessionId = sessionId;
    }

    public @Nullable Tags getTags() {
        return tags;
    }

    public void setTags(@Nullable Tags tags) {
        this.tags = tags;
    }

    public @Nullable Map<String, Object> getMetadata() {
        return metadata;
    }

    public void setMetadata(@Nullable Map<String, Object> metadata) {
        this.metadata = metadata;
    }

    public @Nullable Instant getCreatedAfter() {
        return createdAfter;
    }

    public void setCreatedAfter(@Nullable Instant createdAfter) {
        this.createdAfter = createdAfter;
    }

    public @Nullable Instant getCreatedBefore() {
        return createdBefore;
    }

    public void setCreatedBefore(@Nullable Instant createdBefore) {
        this.createdBefore = createdBefore;
    }

    public @Nullable Double getMinImportance() {
        return minImportance;
    }

    public void setMinImportance(@Nullable Double minImportance) {
        this.minImportance = minImportance;
    }

    /** Keys that were sent but are not filters (for messages). */
    public List<String> unknownKeys() {
        return List.copyOf(unknown);
    }
}
