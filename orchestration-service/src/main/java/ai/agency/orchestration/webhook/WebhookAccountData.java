package ai.agency.orchestration.webhook;

import ai.agency.common.accountdata.AccountData;
import ai.agency.orchestration.AccountExport;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A user's incoming webhooks (as {@code GET /api/v1/webhooks} shows them: never their secrets or API key) and the
 * deliveries that started runs, for the account-data export and erasure. Once erased, a webhook's URL answers 401;
 * its API key is auth-service's, which deletes every key of an erased account itself.
 */
@Component
@Order(20)
class WebhookAccountData implements AccountData {

    private final AccountExport export;
    private final WebhookRepository webhooks;
    private final WebhookService views;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    WebhookAccountData(
            AccountExport export,
            WebhookRepository webhooks,
            WebhookService views,
            JdbcClient jdbc,
            TransactionTemplate tx) {
        this.export = export;
        this.webhooks = webhooks;
        this.views = views;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    @Override
    public List<String> kinds() {
        return List.of("webhooks", "webhook_deliveries");
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        switch (kind) {
            case "webhooks" ->
                export.stream(
                        "SELECT * FROM workflow_webhooks WHERE user_id = :userId ORDER BY seq",
                        userId,
                        (rs, i) -> views.view(webhooks.webhook(rs, i), null),
                        sink);
            case "webhook_deliveries" ->
                export.stream(
                        """
                        SELECT d.* FROM webhook_deliveries d JOIN workflow_webhooks w ON w.id = d.webhook_id
                        WHERE w.user_id = :userId ORDER BY w.seq, d.created_at, d.delivery_id
                        """,
                        userId,
                        (rs, i) -> {
                            Map<String, Object> delivery = new LinkedHashMap<>();
                            delivery.put("webhookId", rs.getObject("webhook_id", UUID.class));
                            delivery.put("deliveryId", rs.getString("delivery_id"));
                            delivery.put("runId", rs.getObject("run_id", UUID.class));
                            delivery.put(
                                    "createdAt", rs.getTimestamp("created_at").toInstant());
                            return delivery;
                        },
                        sink);
            default -> throw new IllegalArgumentException("not a kind of " + this + ": " + kind);
        }
    }

    @Override
    public Map<String, Long> erase(UUID userId) {
        return tx.execute(s -> {
            Map<String, Long> erased = new LinkedHashMap<>();
            erased.put("webhook_deliveries", delete("""
                    DELETE FROM webhook_deliveries WHERE webhook_id IN (SELECT id FROM workflow_webhooks WHERE user_id = :userId)
                    """, userId));
            erased.put("webhooks", delete("DELETE FROM workflow_webhooks WHERE user_id = :userId", userId));
            return erased;
        });
    }

    private long delete(String sql, UUID userId) {
        return jdbc.sql(sql).param("userId", userId).update();
    }
}
