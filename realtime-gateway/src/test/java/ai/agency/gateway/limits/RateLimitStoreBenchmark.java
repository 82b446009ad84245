package ai.agency.gateway.limits;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.bucket4j.BucketConfiguration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Benchmark, not a test: the cost of one rate-limit decision in mode {@code local} (memory) and {@code shared}
 * (PostgreSQL), {@code n} decisions over 200 callers from {@code threads} threads. Creates a scratch database
 * {@code rl_bench_tmp} on the test server ({@code AGENCY_TEST_DB_*}) and drops it afterwards. Run:
 *
 * <pre>
 * ./mvnw -B -q -o -pl realtime-gateway test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp realtime-gateway/target/classes:realtime-gateway/target/test-classes:$(cat realtime-gateway/target/cp.txt) \
 *     ai.agency.gateway.limits.RateLimitStoreBenchmark 8
 * </pre>
 */
public final class RateLimitStoreBenchmark {

    private RateLimitStoreBenchmark() {}

    public static void main(String[] args) throws Exception {
        String url = System.getenv().getOrDefault("AGENCY_TEST_DB_URL", "jdbc:postgresql://localhost:5432/agency");
        String user = System.getenv().getOrDefault("AGENCY_TEST_DB_USERNAME", "agency");
        String password = System.getenv().getOrDefault("AGENCY_TEST_DB_PASSWORD", "agency");
        String scratch = url.substring(0, url.lastIndexOf('/') + 1) + "rl_bench_tmp";
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.createStatement().execute("DROP DATABASE IF EXISTS rl_bench_tmp");
            c.createStatement().execute("CREATE DATABASE rl_bench_tmp");
        }
        try (Connection c = DriverManager.getConnection(scratch, user, password)) {
            c.createStatement().execute("CREATE SCHEMA gateway");
            c.createStatement()
                    .execute("CREATE UNLOGGED TABLE gateway.rate_limits (id text PRIMARY KEY, tat bigint NOT NULL,"
                            + " allowed boolean NOT NULL) WITH (fillfactor = 70)");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(scratch);
        config.setUsername(user);
        config.setPassword(password);
        BucketConfiguration limit = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(1_000_000).refillGreedy(1_000_000, Duration.ofMinutes(1)))
                .build();
        LocalBuckets local = new LocalBuckets();
        try (HikariDataSource main = new HikariDataSource(config);
                SharedBuckets shared = new SharedBuckets(
                        SharedBuckets.poolLike(main, 10, Duration.ofSeconds(5)),
                        true,
                        Duration.ofSeconds(10),
                        Duration.ofMinutes(5),
                        local,
                        new SimpleMeterRegistry())) {
            for (RateLimitBuckets buckets : new RateLimitBuckets[] {local, shared}) {
                for (int i = 0; i < 500; i++) {
                    buckets.tryConsume("default|bench|user:" + (i % 200), limit); // warm-up, creates the rows
                }
                long[] nanos = new long[n];
                CountDownLatch done = new CountDownLatch(n);
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    int k = i;
                    pool.submit(() -> {
                        long t = System.nanoTime();
                        buckets.tryConsume("default|bench|user:" + (k % 200), limit);
                        nanos[k] = System.nanoTime() - t;
                        done.countDown();
                    });
                }
                done.await();
                long wall = System.nanoTime() - start;
                pool.shutdown();
                Arrays.sort(nanos);
                System.out.printf(
                        "%s threads=%d n=%d p50=%.3f ms p99=%.3f ms throughput=%.0f/s%n",
                        buckets == local ? "local" : "shared",
                        threads,
                        n,
                        nanos[n / 2] / 1e6,
                        nanos[n * 99 / 100] / 1e6,
                        n / (wall / 1e9));
            }
        } finally {
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                c.createStatement().execute("DROP DATABASE IF EXISTS rl_bench_tmp");
            }
        }
    }
}
