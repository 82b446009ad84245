package ai.agency.common.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Forwards the service's {@code usage_outbox} to the owner ({@code POST /internal/usage/events}) in batches, oldest
 * first, and deletes a batch only once the owner accepted it. A crash between the two sends the batch again after
 * the restart; the owner counts each event id once, so nothing is lost and nothing is counted twice. Replicas may
 * send the same rows at the same time for the same reason. While the owner is away the events wait in the outbox.
 */
public class UsageRelay implements SmartLifecycle {

    private final JdbcClient jdbc;
    private final OwnerIngest owner;
    private final UsageProperties properties;
    private final Counter relayed;
    private final Counter failures;
    private volatile boolean running;
    private @Nullable Thread thread;

    public UsageRelay(DataSource dataSource, URI ownerBaseUrl, UsageProperties properties, MeterRegistry meters) {
        this.jdbc = JdbcClient.create(dataSource);
        this.owner = new OwnerIngest(ownerBaseUrl, properties);
        this.properties = properties;
        this.relayed = Counter.builder("agency.usage.events.relayed")
                .description("Usage events delivered from this service to the owner")
                .register(meters);
        this.failures = Counter.builder("agency.usage.relay.failures")
                .description("Batches of usage events the owner could not be reached for or refused (they wait)")
                .register(meters);
    }

    public URI endpoint() {
        return owner.endpoint();
    }

    /** Sends everything in the outbox now; the number of events delivered (stops at the first failed batch). */
    public int flush() {
        int total = 0;
        int sent;
        do {
            sent = relayOnce();
            total += Math.max(sent, 0);
        } while (sent == properties.batchSize());
        return total;
    }

    /** One batch: the number of events delivered, 0 when the outbox was empty, -1 when the batch could not go. */
    int relayOnce() {
        List<UsageEvent> batch = jdbc.sql("""
                SELECT id, user_id, at, kind, subject, count, tokens_in, tokens_out, bytes FROM usage_outbox
                ORDER BY seq LIMIT :limit
                """)
                .param("limit", properties.batchSize())
                .query((rs, i) -> new UsageEvent(
                        rs.getObject("id", UUID.class),
                        rs.getObject("user_id", UUID.class),
                        rs.getTimestamp("at").toInstant(),
                        rs.getString("kind"),
                        rs.getString("subject"),
                        rs.getLong("count"),
                        rs.getLong("tokens_in"),
                        rs.getLong("tokens_out"),
                        rs.getLong("bytes")))
                .list();
        if (batch.isEmpty()) {
            return 0;
        }
        if (!owner.send(batch)) {
            failures.increment();
            return -1;
        }
        jdbc.sql("DELETE FROM usage_outbox WHERE id = ANY(CAST(:ids AS uuid[]))")
                .param("ids", batch.stream().map(e -> e.id().toString()).toArray(String[]::new))
                .update();
        relayed.increment(batch.size());
        return batch.size();
    }

    private void loop() {
        while (running) {
            int sent;
            try {
                sent = relayOnce();
            } catch (RuntimeException e) {
                owner.warn("Usage relay failed: " + e);
                sent = -1;
            }
            if (sent < properties.batchSize()) {
                try {
                    Thread.sleep(properties.relayInterval());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofVirtual().name("agency-usage-relay").start(this::loop);
    }

    @Override
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) { // not interrupted: a statement cut off would break its pooled connection
            try {
                t.join(properties.requestTimeout().plusSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
