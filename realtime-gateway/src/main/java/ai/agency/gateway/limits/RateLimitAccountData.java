package ai.agency.gateway.limits;

import ai.agency.common.accountdata.AccountData;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A user's REST rate-limit buckets ({@code rate_limits}, shared mode: a key and two numbers, no text), deleted with
 * the account; nothing to export. Buckets of the user's API keys (keyed by key id) and local mode's buckets (in
 * memory) are not found by user and go when they are full again.
 */
@Component
class RateLimitAccountData implements AccountData {

    private final JdbcClient jdbc;

    RateLimitAccountData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<String> kinds() {
        return List.of();
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) {
        throw new IllegalArgumentException("rate limits have no kind to export");
    }

    @Override
    public Map<String, Long> erase(UUID userId) {
        // a bucket's key is "class|capacity/period|user:<id>" (RateLimitFilter)
        int rows = jdbc.sql("DELETE FROM " + SharedBuckets.TABLE + " WHERE id LIKE :k")
                .param("k", "%|user:" + userId)
                .update();
        return Map.of("rate_limits", (long) rows);
    }
}
