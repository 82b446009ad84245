package ai.agency.common.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Deletes, every {@code agency.retention.interval}, the rows each {@link RetentionRule} of the service says are past
 * their retention, in batches of {@code batch-size} (short transactions, no long locks), until none is left. Counts
 * them in {@code agency_retention_purged_rows_total{kind}}; a failing rule is logged and retried at the next run
 * without stopping the others. Several replicas may purge at once: a row is deleted once, the others find fewer.
 * Each batch's transaction sets {@code agency.purge} to the rule's kind ({@code set_config(…, true)}, this
 * transaction only), so that a table guarded by a trigger against deletes can allow exactly the purge of its kind.
 */
public class RetentionPurge implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final JdbcClient jdbc;
    private final TransactionOperations transactions;
    private final RetentionProperties properties;
    private final List<RetentionRule> rules;
    private final Map<String, Counter> purged = new LinkedHashMap<>();
    private volatile @Nullable ScheduledExecutorService timer;

    public RetentionPurge(
            JdbcClient jdbc,
            TransactionOperations transactions,
            RetentionProperties properties,
            List<RetentionRule> rules,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.properties = properties;
        this.rules = List.copyOf(rules);
        for (RetentionRule rule : this.rules) {
            purged.put(
                    rule.kind(),
                    Counter.builder("agency_retention_purged_rows")
                            .description("Rows deleted because their retention had passed")
                            .tag("kind", rule.kind())
                            .register(meters));
        }
    }

    /**
     * How long the rows of a kind are kept: configured, else the rule's default; zero = for ever. The configured key
     * may spell the kind with dashes, dots, underscores or none ({@code audit-events}, or {@code
     * AGENCY_RETENTION_KEEP_AUDITEVENTS} from the environment).
     */
    public Duration keep(RetentionRule rule) {
        String wanted = squash(rule.kind());
        return properties.keep().entrySet().stream()
                .filter(e -> squash(e.getKey()).equals(wanted))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(rule.defaultKeep());
    }

    private static String squash(String key) {
        return key.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /** One purge of every rule; returns the rows deleted per kind. */
    public Map<String, Integer> purge() {
        Map<String, Integer> deleted = new LinkedHashMap<>();
        for (RetentionRule rule : rules) {
            Duration keep = keep(rule);
            if (keep.isZero()) {
                continue;
            }
            try {
                int total = purge(rule, Instant.now().minus(keep));
                deleted.put(rule.kind(), total);
                if (total > 0) {
                    log.info("Retention: purged {} {} older than {}", total, rule.kind(), keep);
                }
            } catch (RuntimeException e) {
                log.warn("Retention: purging {} failed, retried at the next run: {}", rule.kind(), e.toString());
            }
        }
        return deleted;
    }

    private int purge(RetentionRule rule, Instant cutoff) {
        String sql = rule.deleteBatchSql();
        Counter counter = purged.computeIfAbsent(rule.kind(), kind -> {
            throw new IllegalStateException("no counter for " + kind);
        });
        int total = 0;
        int batch;
        do {
            Integer deleted = transactions.execute(status -> {
                // marks this transaction as the purge of this kind: a table that refuses deletes (the audit log)
                // may let exactly this one through
                jdbc.sql("SELECT set_config('agency.purge', :kind, true)")
                        .param("kind", rule.kind())
                        .query(String.class)
                        .single();
                return jdbc.sql(sql)
                        .param("cutoff", java.sql.Timestamp.from(cutoff))
                        .param("batch", properties.batchSize())
                        .update();
            });
            batch = deleted == null ? 0 : deleted;
            total += batch;
            counter.increment(batch);
        } while (batch == properties.batchSize());
        return total;
    }

    @Override
    public void start() {
        if (rules.isEmpty()) {
            return;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("retention-purge").factory());
        long every = properties.interval().toMillis();
        executor.scheduleWithFixedDelay(this::purge, every, every, TimeUnit.MILLISECONDS);
        timer = executor;
    }

    @Override
    public void stop() {
        ScheduledExecutorService executor = timer;
        if (executor != null) {
            executor.shutdownNow();
            timer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }
}
