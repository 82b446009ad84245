package ai.agency.auth.usage;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** An admin's per-user quota limits; an empty optional is an override to unlimited. */
@Repository
class QuotaOverrides {

    private final JdbcClient jdbc;

    QuotaOverrides(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Map<String, Optional<Long>> of(UUID userId) {
        Map<String, Optional<Long>> overrides = new HashMap<>();
        jdbc.sql("SELECT name, quota_limit FROM quota_overrides WHERE user_id = :userId")
                .param("userId", userId)
                .query(rs -> {
                    long limit = rs.getLong("quota_limit");
                    boolean unlimited = rs.wasNull(); // before reading anything else
                    overrides.put(rs.getString("name"), unlimited ? Optional.empty() : Optional.of(limit));
                });
        return overrides;
    }

    void set(UUID userId, String name, Optional<Long> limit, UUID actorId) {
        jdbc.sql("""
                INSERT INTO quota_overrides (user_id, name, quota_limit, set_by) VALUES (:userId, :name, :limit, :actor)
                ON CONFLICT (user_id, name) DO UPDATE SET quota_limit = excluded.quota_limit,
                    set_by = excluded.set_by, set_at = now()
                """)
                .param("userId", userId)
                .param("name", name)
                .param("limit", limit.orElse(null), java.sql.Types.BIGINT)
                .param("actor", actorId)
                .update();
    }

    void remove(UUID userId, String name) {
        jdbc.sql("DELETE FROM quota_overrides WHERE user_id = :userId AND name = :name")
                .param("userId", userId)
                .param("name", name)
                .update();
    }
}
