package ai.agency.gateway.limits;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
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
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Buckets shared by every gateway replica, in PostgreSQL table {@value #TABLE}: each decision is <b>one
 * statement</b> — an upsert that applies the generic cell rate algorithm (GCRA) to the caller's row and returns the
 * outcome — on a small pool of its own, so a slow database never holds the replay log's connections. GCRA is a token
 * bucket of {@code capacity} tokens refilled continuously at {@code capacity / period} (Bucket4j's greedy refill),
 * kept as one number, the "theoretical arrival time" {@code tat}: a request at {@code now} is allowed when
 * {@code max(tat, now) + period / capacity - now <= period}, and then moves {@code tat} on by one interval. Time is the
 * database's clock, so replicas with skewed clocks still share one budget; the row lock lasts one statement.
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
    /** Created by migration {@code V5__rate_limits_gcra.sql}. */
    static final String TABLE = "gateway.rate_limits";

    /**
     * Parameters: id, interval, interval, period, interval, period, interval. A new row is a full bucket that gives
     * one token ({@code interval <= period} always holds: capacity >= 1).
     */
    private static final String CONSUME = """
            WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint AS now)
            INSERT INTO gateway.rate_limits AS b (id, tat, allowed)
            SELECT ?, clock.now + ?, true FROM clock
            ON CONFLICT (id) DO UPDATE SET
                allowed = greatest(b.tat, (SELECT now FROM clock)) + ? - (SELECT now FROM clock) <= ?,
                tat = CASE WHEN greatest(b.tat, (SELECT now FROM clock)) + ? - (SELECT now FROM clock) <= ?
                           THEN greatest(b.tat, (SELECT now FROM clock)) + ? ELSE b.tat END
            RETURNING tat, allowed, (SELECT now FROM clock) AS now
            """;

    private static final String PURGE = """
            DELETE FROM gateway.rate_limits WHERE id IN (
                SELECT id FROM gateway.rate_limits
                WHERE tat < (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint
                LIMIT ?)
            """;

    /** A decision as the statement returns it. */
    private record Outcome(long tat, boolean allowed, long now) {}

    private final @Nullable AutoCloseable ownedPool;
    private final JdbcClient jdbc;
    private final ScheduledExecutorService purger;
    private final RateLimitBuckets fallback;
    private final long retryNanos;
    private final AtomicLong downUntil = new AtomicLong(System.nanoTime() - 1);
    private final Counter failures;
    private final Counter fallbacks;

    /**
     * @param dataSource where the table is
     * @param ownsDataSource close {@code dataSource} with this (the store's own pool, never the application's)
     * @param retry how long the local buckets decide alone after a store failure
     * @param purgeInterval how often rows of buckets full again are deleted
     */
    public SharedBuckets(
            DataSource dataSource,
            boolean ownsDataSource,
            Duration retry,
            Duration purgeInterval,
            RateLimitBuckets fallback,
            MeterRegistry registry) {
        this.ownedPool = ownsDataSource && dataSource instanceof AutoCloseable closeable ? closeable : null;
        // no JDBC query timeout: the driver would arm a timer per statement (measured: a tenth of the store's cost);
        // the store's own pool bounds statements by the database's statement_timeout instead (poolLike)
        this.jdbc = JdbcClient.create(dataSource);
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
            log.debug("Purging full rate-limit buckets failed: {}", e.toString());
        }
    }

    /**
     * A pool for the store: the main datasource's settings, {@code size} connections, waits at most {@code timeout}
     * for a connection, and its statements are cancelled by the database after {@code timeout}.
     */
    public static HikariDataSource poolLike(HikariDataSource main, int size, Duration timeout) {
        HikariConfig config = new HikariConfig();
        main.copyStateTo(config);
        config.setPoolName("rate-limit");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1); // grows with load up to size, shrinks back after Hikari's idle timeout
        config.setConnectionTimeout(Math.max(250, timeout.toMillis())); // Hikari's minimum is 250 ms
        config.setValidationTimeout(Math.max(250, timeout.toMillis()));
        config.setInitializationFailTimeout(-1); // start even when the database is not there yet
        // Bucket state is not worth a disk flush per request: commits on this pool do not wait for the WAL (the table
        // is unlogged anyway); a statement stuck behind a lock gives up after the store's timeout.
        String init = config.getConnectionInitSql();
        config.setConnectionInitSql((init == null || init.isBlank() ? "" : init + "; ")
                + "SET synchronous_commit TO off; SET statement_timeout TO " + Math.max(1, timeout.toMillis()));
        return new HikariDataSource(config);
    }

    @Override
    public ConsumptionProbe tryConsume(String key, BucketConfiguration configuration) {
        long now = System.nanoTime();
        if (now - downUntil.get() < 0) {
            fallbacks.increment();
            return fallback.tryConsume(key, configuration);
        }
        Bandwidth limit = configuration.getBandwidths()[0];
        long period = limit.getRefillPeriodNanos();
        long interval = Math.max(1, period / limit.getRefillTokens());
        try {
            Outcome outcome = jdbc.sql(CONSUME)
                    .params(key, interval, interval, period, interval, period, interval)
                    .query((rs, row) -> new Outcome(rs.getLong(1), rs.getBoolean(2), rs.getLong(3)))
                    .single();
            long untilFull = Math.max(0, outcome.tat() - outcome.now());
            if (outcome.allowed()) {
                return ConsumptionProbe.consumed(Math.max(0, (period - untilFull) / interval), untilFull);
            }
            return ConsumptionProbe.rejected(0, Math.max(1, untilFull + interval - period), untilFull);
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

    /** Deletes rows of buckets that are full again (at most {@code batch}); returns how many. */
    public int purgeExpired(int batch) {
        return jdbc.sql(PURGE).param(batch).update();
    }

    @Override
    public void close() throws Exception {
        purger.shutdownNow();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }
}
