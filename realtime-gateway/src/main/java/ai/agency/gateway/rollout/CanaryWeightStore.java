package ai.agency.gateway.rollout;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The canary weights set at runtime ({@code canary_weights}, one row per route, read by every replica) and the audit
 * of every change ({@code canary_weight_changes}).
 */
@Repository
class CanaryWeightStore {

    /** A weight set at runtime: it holds while the route's canary is {@code canaryUri}. */
    record Override(String route, URI canaryUri, int weight, String source, String reason, Instant changedAt) {}

    /** One audited change. */
    record Change(String route, int weight, int previousWeight, String source, String reason, Instant changedAt) {}

    private final JdbcClient jdbc;

    CanaryWeightStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Override> overrides() {
        return jdbc.sql("SELECT route, canary_uri, weight, source, reason, changed_at FROM canary_weights")
                .query((rs, n) -> new Override(
                        rs.getString("route"),
                        URI.create(rs.getString("canary_uri")),
                        rs.getInt("weight"),
                        rs.getString("source"),
                        rs.getString("reason"),
                        rs.getTimestamp("changed_at").toInstant()))
                .list();
    }

    @Transactional
    void save(String route, URI canaryUri, int weight, int previousWeight, String source, String reason) {
        jdbc.sql("""
                        INSERT INTO canary_weights (route, canary_uri, weight, source, reason, changed_at)
                        VALUES (:route, :uri, :weight, :source, :reason, now())
                        ON CONFLICT (route) DO UPDATE SET canary_uri = excluded.canary_uri, weight = excluded.weight,
                            source = excluded.source, reason = excluded.reason, changed_at = excluded.changed_at
                        """)
                .param("route", route)
                .param("uri", canaryUri.toString())
                .param("weight", weight)
                .param("source", source)
                .param("reason", reason)
                .update();
        audit(route, canaryUri, weight, previousWeight, source, reason);
    }

    /** Forgets the runtime weight of a route: the configured weight applies again. */
    @Transactional
    void delete(String route, URI canaryUri, int configuredWeight, int previousWeight, String source) {
        jdbc.sql("DELETE FROM canary_weights WHERE route = :route")
                .param("route", route)
                .update();
        audit(route, canaryUri, configuredWeight, previousWeight, source, "reset to the configured weight");
    }

    List<Change> changes(String route, int limit) {
        return jdbc.sql("""
                        SELECT route, weight, previous_weight, source, reason, changed_at FROM canary_weight_changes
                        WHERE route = :route ORDER BY id DESC LIMIT :limit
                        """)
                .param("route", route)
                .param("limit", limit)
                .query((rs, n) -> new Change(
                        rs.getString("route"),
                        rs.getInt("weight"),
                        rs.getInt("previous_weight"),
                        rs.getString("source"),
                        rs.getString("reason"),
                        rs.getTimestamp("changed_at").toInstant()))
                .list();
    }

    private void audit(String route, URI canaryUri, int weight, int previousWeight, String source, String reason) {
        jdbc.sql("""
                        INSERT INTO canary_weight_changes (route, canary_uri, weight, previous_weight, source, reason)
                        VALUES (:route, :uri, :weight, :previous, :source, :reason)
                        """)
                .param("route", route)
                .param("uri", canaryUri.toString())
                .param("weight", weight)
                .param("previous", previousWeight)
                .param("source", source)
                .param("reason", reason)
                .update();
    }
}
