package ai.agency.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.gateway.RealtimeTestSupport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * REST rate limits shared by gateway replicas through PostgreSQL: A is the shared test context (mode {@code shared},
 * the default), B a second replica started here on another port with the same settings and database, C a replica in
 * mode {@code local}. The tool route is a class of 3 requests per hour.
 */
class SharedRateLimitTest extends RealtimeTestSupport {

    static final HttpClient http = HttpClient.newHttpClient();
    static final String TOOL = "/api/v1/tools/echo/execute";
    static final String[] TIGHT = {
        "agency.gateway.rate-limit.classes.tight.capacity=3",
        "agency.gateway.rate-limit.classes.tight.period=1h",
        "agency.gateway.rate-limit.classes.tight.routes=tool",
        "agency.gateway.rate-limit.store-timeout=5s"
    };
    static ConfigurableApplicationContext replicaB;
    static ConfigurableApplicationContext replicaC;

    @Autowired
    Environment env;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MeterRegistry meters;

    @Autowired
    RateLimitBuckets buckets;

    @AfterAll
    static void stopReplicas() {
        for (ConfigurableApplicationContext replica : new ConfigurableApplicationContext[] {replicaB, replicaC}) {
            if (replica != null && replica.isActive()) {
                replica.close();
            }
        }
    }

    private int portOfB() {
        if (replicaB == null) {
            replicaB = startReplica(env, TIGHT);
        }
        return portOf(replicaB);
    }

    @Test
    void oneUsersBudgetIsCountedDownAcrossTwoReplicasThenBothAnswer429() throws Exception {
        int b = portOfB();
        UUID aliceId = UUID.randomUUID();
        String alice = JWTS.user(aliceId);

        // A, B, A: one budget of 3 counted down across both replicas
        assertOk(post(port, alice), 2);
        assertOk(post(b, alice), 1);
        assertOk(post(port, alice), 0);

        for (int replica : new int[] {b, port}) {
            HttpResponse<String> refused = post(replica, alice);
            ProblemAssertions.assertProblem(
                    refused.statusCode(),
                    refused.headers().firstValue("Content-Type").orElse(null),
                    refused.body(),
                    429,
                    "rate_limit");
            assertThat(Long.parseLong(
                            refused.headers().firstValue("Retry-After").orElseThrow()))
                    .isBetween(1L, 1200L); // one token comes back every 20 minutes
            assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
            assertThat(refused.headers().firstValue("RateLimit-Limit")).hasValue("3");
        }

        // the bucket is one row of the shared table, keyed by class, limit and caller
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM gateway.rate_limits WHERE id = ?",
                        Long.class,
                        "tight|3/PT1H|user:" + aliceId))
                .isEqualTo(1);

        // another user has a budget of their own, on either replica
        String bob = JWTS.user(UUID.randomUUID());
        assertOk(post(b, bob), 2);
        assertOk(post(port, bob), 1);
    }

    @Test
    void inLocalModeAReplicaCountsAloneAndWritesNothing() throws Exception {
        String[] local = new String[TIGHT.length + 1];
        System.arraycopy(TIGHT, 0, local, 0, TIGHT.length);
        local[TIGHT.length] = "agency.gateway.rate-limit.mode=local";
        replicaC = startReplica(env, local);
        UUID userId = UUID.randomUUID();
        String user = JWTS.user(userId);
        for (int remaining = 2; remaining >= 0; remaining--) {
            assertOk(post(port, user), remaining);
        }
        assertThat(post(port, user).statusCode()).isEqualTo(429);

        // C knows nothing of A's count: a budget of its own, kept in its memory
        assertOk(post(portOf(replicaC), user), 2);
        assertOk(post(portOf(replicaC), JWTS.user(UUID.randomUUID())), 2);
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM gateway.rate_limits WHERE id LIKE ?", Long.class, "%user:" + userId))
                .isEqualTo(1); // only A's row
    }

    @Test
    void whenTheStoreFailsRequestsAreStillLimitedPerReplicaNeverA500AndTheFailureIsCounted() throws Exception {
        double failuresBefore = count("agency.gateway.rate_limit.store.failures");
        double fallbacksBefore = count("agency.gateway.rate_limit.fallback");
        jdbc.execute("ALTER TABLE gateway.rate_limits RENAME TO rate_limits_away");
        try {
            String carol = JWTS.user(UUID.randomUUID());
            for (int remaining = 2; remaining >= 0; remaining--) {
                assertOk(post(port, carol), remaining); // decided by A's local bucket
            }
            HttpResponse<String> refused = post(port, carol);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(count("agency.gateway.rate_limit.store.failures")).isGreaterThan(failuresBefore);
            assertThat(count("agency.gateway.rate_limit.fallback")).isGreaterThan(fallbacksBefore);
        } finally {
            jdbc.execute("ALTER TABLE gateway.rate_limits_away RENAME TO rate_limits");
        }

        // once the table is back, the store is used again after store-retry (1 s here)
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    UUID someone = UUID.randomUUID();
                    assertOk(post(port, JWTS.user(someone)), 2);
                    return jdbc.queryForObject(
                                    "SELECT count(*) FROM gateway.rate_limits WHERE id LIKE ?",
                                    Long.class,
                                    "%user:" + someone)
                            == 1;
                });
    }

    @Test
    void aRowHoldsWhenTheBucketIsFullAgainAndThePurgeDeletesOnlyFullOnes() throws Exception {
        UUID userId = UUID.randomUUID();
        assertOk(post(port, JWTS.user(userId)), 2);
        String now = "(extract(epoch FROM clock_timestamp()) * 1000000000)::bigint";
        long untilFull = jdbc.queryForObject(
                "SELECT tat - " + now + " FROM gateway.rate_limits WHERE id = ?",
                Long.class,
                "tight|3/PT1H|user:" + userId);
        // one token of three taken: full again in 20 minutes
        assertThat(Duration.ofNanos(untilFull)).isBetween(Duration.ofMinutes(19), Duration.ofMinutes(20));

        String full = "tight|3/PT1H|user:" + UUID.randomUUID();
        jdbc.update(
                "INSERT INTO gateway.rate_limits (id, tat, allowed) VALUES (?, " + now + " - 1000000000, true)", full);
        SharedBuckets shared = (SharedBuckets) buckets;
        assertThat(shared.purgeExpired(1000)).isPositive();
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM gateway.rate_limits WHERE id IN (?, ?)",
                        Long.class,
                        full,
                        "tight|3/PT1H|user:" + userId))
                .isEqualTo(1); // only the bucket still refilling is left
    }

    @Test
    void aBurstOfConcurrentRequestsOnTwoReplicasGetsExactlyTheBudgetNeverMore() throws Exception {
        int b = portOfB();
        String mallory = JWTS.user(UUID.randomUUID());
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int replica = i % 2 == 0 ? port : b;
            burst.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return post(replica, mallory);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Map<Integer, Long> statuses = burst.stream()
                .map(CompletableFuture::join)
                .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
        assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(200, 3L, 429, 13L));
    }

    private double count(String name) {
        Counter counter = meters.find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    private static void assertOk(HttpResponse<String> response, int remaining) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("RateLimit-Limit")).hasValue("3");
        assertThat(response.headers().firstValue("RateLimit-Remaining")).hasValue(Integer.toString(remaining));
        assertThat(response.headers().firstValue("RateLimit-Policy")).hasValue("3;w=3600");
    }

    private static HttpResponse<String> post(int port, String token) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + TOOL))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\":{}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
