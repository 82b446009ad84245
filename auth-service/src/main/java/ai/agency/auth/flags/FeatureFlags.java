package ai.agency.auth.flags;

import ai.agency.auth.audit.AuditLog;
import ai.agency.common.flags.FlagRule;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The flags table; every change is audited in the same transaction. */
@Service
public class FeatureFlags {

    /** A stored flag: its rule and who changed it last, when. */
    public record StoredFlag(
            FlagRule rule, Instant updatedAt, @Nullable UUID updatedBy) {}

    private final JdbcClient jdbc;
    private final AuditLog audit;

    FeatureFlags(JdbcClient jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    public List<StoredFlag> all() {
        return jdbc.sql("SELECT * FROM feature_flags ORDER BY key")
                .query(FeatureFlags::map)
                .list();
    }

    public Optional<StoredFlag> find(String key) {
        return jdbc.sql("SELECT * FROM feature_flags WHERE key = :key")
                .param("key", key)
                .query(FeatureFlags::map)
                .optional();
    }

    /** Creates or replaces a flag; answers it as stored. */
    @Transactional
    public StoredFlag put(FlagRule rule, UUID actorId) {
        jdbc.sql("""
                INSERT INTO feature_flags (key, enabled, percentage, roles, description, updated_at, updated_by)
                VALUES (:key, :enabled, :percentage, CAST(:roles AS text[]), :description, now(), :actor)
                ON CONFLICT (key) DO UPDATE SET enabled = EXCLUDED.enabled, percentage = EXCLUDED.percentage,
                    roles = EXCLUDED.roles, description = EXCLUDED.description, updated_at = now(),
                    updated_by = EXCLUDED.updated_by
                """)
                .param("key", rule.key())
                .param("enabled", rule.enabled())
                .param("percentage", rule.percentage())
                .param("roles", "{" + String.join(",", rule.roles()) + "}")
                .param("description", rule.description())
                .param("actor", actorId)
                .update();
        audit.record(AuditLog.FLAG_CHANGED, null, actorId, details(rule));
        return find(rule.key()).orElseThrow();
    }

    /** Deletes a flag; false if there was none. */
    @Transactional
    public boolean delete(String key, UUID actorId) {
        Optional<StoredFlag> existing = find(key);
        if (existing.isEmpty()) {
            return false;
        }
        jdbc.sql("DELETE FROM feature_flags WHERE key = :key").param("key", key).update();
        audit.record(
                AuditLog.FLAG_DELETED, null, actorId, details(existing.get().rule()));
        return true;
    }

    private static Map<String, Object> details(FlagRule rule) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("key", rule.key());
        details.put("enabled", rule.enabled());
        details.put("percentage", rule.percentage());
        details.put("roles", rule.roles());
        return details;
    }

    private static StoredFlag map(ResultSet rs, int row) throws SQLException {
        Array roles = rs.getArray("roles");
        List<String> roleList =
                Arrays.stream((Object[]) roles.getArray()).map(String::valueOf).toList();
        return new StoredFlag(
                new FlagRule(
                        rs.getString("key"),
                        rs.getBoolean("enabled"),
                        rs.getInt("percentage"),
                        roleList,
                        rs.getString("description")),
                rs.getTimestamp("updated_at").toInstant(),
                rs.getObject("updated_by", UUID.class));
    }
}
