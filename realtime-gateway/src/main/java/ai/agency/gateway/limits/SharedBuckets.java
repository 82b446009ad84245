package ai.agency.gateway.limits;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets shared by every gateway replica, in PostgreSQL table {@value #TABLE} through Bucket4j's
 * PostgreSQL integration ({@code SELECT … FOR UPDATE} of the bucket's row, then {@code UPDATE}, in one transaction:
 * about three round trips per request, on a small pool of its own so a slow database never holds the replay log's
 * connections).
 *
 * <p><b>Fail-open to per-replica limits.</b> When the store fails (database down, timeout, missing table), the request
 * is decided by this replica's {@link LocalBuckets} instead — never a 500, never refused because of the database — and
 * the failure is counted in {@code agency_gateway_rate_limit_store_failures_total} and logged (at most once per
 * {@code store-retry}). For {@code store-retry} after a failure every request goes to the local buckets straight away
 * (counted in {@code agency_gateway_rate_limit_fallback_total}), so an outage costs one timeout per period, not one per
 * request; then the store is tried again.
 */
public class SharedBuckets implements RateLimitBuckets, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedBuckets.class);
    /** Created by migration {@code V2__rate_limit_buckets.sql}. */
    static final String TABLE = "gateway.rate_limit_buckets";

    private final @Nullable AutoCloseable ownedPool;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> store;
    private final ScheduledExecutorService purger;
    private final RateLimitBuckets fallback;
    private final long retryNanos;
    private final AtomicLong downUntil = new AtomicLong(System.nanoTime() - 1);
    private final Counter failures;
    private final Counter fallbacks;

    /**
     * @param dataSource where the table is
     * @param ownsDataSource close {@code dataSource} with this (the store's own pool, never the application's)
     * @param timeout bound of each statement (Bucket4j's request timeout)
     * @param retry how long the local buckets decide alone after a store failure
     * @param purgeInterval how often rows of buckets full again for a minute are deleted
     */
    public SharedBuckets(
            DataSource dataSource,
            boolean ownsDataSource,
            Duration timeout,
            Duration retry,
            Duration purgeInterval,
            RateLimitBuckets fallback,
            MeterRegistry registry) {
        this.ownedPool = ownsDataSource && dataSource instanceof AutoCloseable closeable ? closeable : null;
        this.store = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(TABLE)
                .idColumn("id")
                .stateColumn("state")
                .expiresAtColumn("expires_at")
                .expirationAfterWrite(
                        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                .requestTimeout(timeout)
                .build();
        this.fallback = fallback;
        this.retryNanos = retry.toNanos();
        this.failures = Counter.builder("agency.gateway.rate_limit.store.failures")
                .description("Shared rate-limit store calls that failed; the request was decided by the local bucket")
                .register(registry);
        this.fallbacks = Counter.builder("agency.gateway.rate_limit.fallback")
                .description("Requests decided by this replica's local bucket because the shared store was down")
                .register(registry);
        this.purger = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("rate-limit-purge").factory());
        long every = Math.max(1000, purgeInterval.toMillis());
        purger.scheduleWithFixedDelay(this::purge, every, every, TimeUnit.MILLISECONDS);
    }

    private void purge() {
        try {
            int removed;
            do {
                removed = purgeExpired(1000);
            } while (removed == 1000);
        } catch (RuntimeException e) {
            log.debug("Purging expired rate-limit buckets failed: {}", e.toString());
        }
    }

    /** A pool for the store: the main datasource's settings, {@code size} connections, waits at most {@code timeout}. */
    public static HikariDataSource poolLike(HikariDataSource main, int size, Duration timeout) {
        HikariConfig config = new HikariConfig();
        main.copyStateTo(config);
        config.setPoolName("rate-limit");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1); // grows with load up to size, shrinks back after Hikari's idle timeout
        config.setConnectionTimeout(Math.max(250, timeout.toMillis())); // Hikari's minimum is 250 ms
        config.setValidationTimeout(Math.max(250, timeout.toMillis()));
        config.setInitializationFailTimeout(-1); // start even when the database is not there yet
        // Bucket state is not worth a disk flush per request: commits on this pool do not wait for the WAL to reach
        // disk (a database crash may forget the last fraction of a second of consumed tokens, nothing else).
        String init = config.getConnectionInitSql();
        config.setConnectionInitSql(
                (init == null || init.isBlank() ? "" : init + "; ") + "SET synchronous_commit TO off");
        return new HikariDataSource(config);
    }

    @Override
    public ConsumptionProbe tryConsume(String key, BucketConfiguration configuration) {
        long now = System.nanoTime();
        if (now - downUntil.get() < 0) {
            fallbacks.increment();
            return fallback.tryConsume(key, configuration);
        }
        try {
            return store.builder().build(key, () -> configuration).tryConsumeAndReturnRemaining(1);
        } catch (RuntimeException e) {
            failures.increment();
            long previous = downUntil.getAndSet(System.nanoTime() + retryNanos);
            if (System.nanoTime() - previous > 0) { // the first failure of this outage: log it once
                log.warn(
                        "Shared rate-limit store unavailable ({}); limits are per replica for the next {} s",
                        e.toString(),
                        Duration.ofNanos(retryNanos).toSeconds());
            }
            return fallback.tryConsume(key, configuration);
        }
    }

    /** Deletes rows of buckets that have been full for a while (at most {@code batch}); returns how many. */
    public int purgeExpired(int batch) {
        return store.removeExpired(batch);
    }

    @Override
    public void close() throws Exception {
        purger.shutdownNow();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }
}
