package ai.agency.orchestration.webhook;

import ai.agency.orchestration.workflow.TriggerCredentials;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Incoming webhooks ({@code workflow_webhooks}) and the deliveries that started runs ({@code webhook_deliveries}).
 * Queries on behalf of a user carry the user's id; a delivery reads its webhook by id alone (senders have no user).
 */
@Repository
class WebhookRepository {

    private final JdbcClient jdbc;

    WebhookRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Webhook w) {
        jdbc.sql("""
                INSERT INTO workflow_webhooks (id, workflow_id, user_id, secret, credential_id, credential)
                VALUES (:id, :workflowId, :userId, :secret, :keyId, :key)
                """)
                .param("id", w.id())
                .param("workflowId", w.workflowId())
                .param("userId", w.userId())
                .param("secret", w.secret())
                .param("keyId", w.key().id())
                .param("key", w.key().sealed())
                .update();
    }

    int count(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM workflow_webhooks WHERE user_id = :userId")
                .param("userId", userId)
                .query(Integer.class)
                .single();
    }

    /** The webhook, whoever owns it (for deliveries). */
    Optional<Webhook> find(UUID id) {
        return jdbc.sql("SELECT * FROM workflow_webhooks WHERE id = :id")
                .param("id", id)
                .query(this::webhook)
                .optional();
    }

    Optional<Webhook> find(UUID id, UUID userId) {
        return jdbc.sql("SELECT * FROM workflow_webhooks WHERE id = :id AND user_id = :userId")
                .param("id", id)
                .param("userId", userId)
                .query(this::webhook)
                .optional();
    }

    /** The user's webhooks, newest first, after the cursor position; one more than {@code limit}. */
    List<Webhook> list(UUID userId, Long before, int limit) {
        return jdbc.sql("""
                SELECT * FROM workflow_webhooks
                WHERE user_id = :userId AND (CAST(:before AS bigint) IS NULL OR seq < :before)
                ORDER BY seq DESC LIMIT :limit
                """)
                .param("userId", userId)
                .param("before", before)
                .param("limit", limit + 1)
                .query(this::webhook)
                .list();
    }

    /** Replaces the secret; the one replaced stays valid until {@code previousUntil}. */
    boolean rotate(UUID id, UUID userId, byte[] secret, Instant previousUntil) {
        return jdbc.sql("""
                        UPDATE workflow_webhooks
                        SET previous_secret = secret, previous_until = :until, secret = :secret
                        WHERE id = :id AND user_id = :userId
                        """)
                        .param("until", Timestamp.from(previousUntil))
                        .param("secret", secret)
                        .param("id", id)
                        .param("userId", userId)
                        .update()
                == 1;
    }

    boolean delete(UUID id, UUID userId) {
        return jdbc.sql("DELETE FROM workflow_webhooks WHERE id = :id AND user_id = :userId")
                        .param("id", id)
                        .param("userId", userId)
                        .update()
                == 1;
    }

    /** Deletes the workflow's webhooks (in the caller's transaction); their API keys. */
    List<TriggerCredentials.Key> deleteOfWorkflow(UUID workflowId) {
        return jdbc.sql("DELETE FROM workflow_webhooks WHERE workflow_id = :id RETURNING credential_id, credential")
                .param("id", workflowId)
                .query((rs, i) -> new TriggerCredentials.Key(
                        rs.getObject("credential_id", UUID.class), rs.getBytes("credential")))
                .list();
    }

    /**
     * Records that the delivery starts {@code runId}, in the run's transaction; false when the delivery id was seen
     * before (a concurrent duplicate waits here until the first one's transaction has ended).
     */
    boolean claimDelivery(UUID webhookId, String deliveryId, UUID runId) {
        return jdbc.sql("""
                        INSERT INTO webhook_deliveries (webhook_id, delivery_id, run_id)
                        VALUES (:webhookId, :deliveryId, :runId)
                        ON CONFLICT DO NOTHING
                        """)
                        .param("webhookId", webhookId)
                        .param("deliveryId", deliveryId)
                        .param("runId", runId)
                        .update()
                == 1;
    }

    /** The run a delivery id started, if it was seen before. */
    Optional<UUID> deliveryRun(UUID webhookId, String deliveryId) {
        return jdbc.sql("SELECT run_id FROM webhook_deliveries WHERE webhook_id = :webhookId AND delivery_id = :id")
                .param("webhookId", webhookId)
                .param("id", deliveryId)
                .query(UUID.class)
                .optional();
    }

    /** Forgets delivery ids older than {@code before}; how many. */
    Webhook webhook(ResultSet rs, int row) throws SQLException {
        Timestamp until = rs.getTimestamp("previous_until");
        return new Webhook(
                rs.getLong("seq"),
                rs.getObject("id", UUID.class),
                rs.getObject("workflow_id", UUID.class),
                rs.getObject("user_id", UUID.class),
                rs.getBytes("secret"),
                rs.getBytes("previous_secret"),
                until == null ? null : until.toInstant(),
                new TriggerCredentials.Key(rs.getObject("credential_id", UUID.class), rs.getBytes("credential")),
                rs.getTimestamp("created_at").toInstant());
    }
}
