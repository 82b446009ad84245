package ai.agency.common.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The reporter's queue, batching and failure handling against a real local HTTP receiver. */
class HttpAuditReporterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static AuditReporterProperties properties(int capacity, int batch) {
        return new AuditReporterProperties(true, "", capacity, batch, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    private static AuthorizationDenial denial(String token, int n) {
        return new AuthorizationDenial(
                "memory-service",
                "DELETE",
                "/api/v1/memories/" + n,
                "sub-" + token,
                List.of("viewer"),
                "denied by hasRole('user')",
                "trace-" + n,
                Instant.now(),
                token);
    }

    private static double dropped(SimpleMeterRegistry meters, String reason) {
        return meters.counter(HttpAuditReporter.DROPPED_METRIC, "reason", reason)
                .count();
    }

    @Test
    void eventsAreBatchedPerCallerToken() throws Exception {
        try (AuditReceiver receiver = new AuditReceiver()) {
            receiver.gate = new CountDownLatch(1); // hold the first request so that the rest queue up
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            HttpAuditReporter reporter = new HttpAuditReporter(receiver.endpoint(), properties(100, 50), meters);
            try {
                reporter.denied(denial("token-a", 0));
                Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> receiverIsHolding(reporter));
                for (int i = 1; i <= 4; i++) {
                    reporter.denied(denial(i % 2 == 0 ? "token-a" : "token-b", i));
                }
                receiver.gate.countDown();

                assertThat(receiver.next().authorization()).isEqualTo("Bearer token-a");
                AuditReceiver.Received second = receiver.next();
                AuditReceiver.Received third = receiver.next();
                JsonNode a = JSON.readTree((second.authorization().endsWith("token-a") ? second : third).body());
                JsonNode b = JSON.readTree((second.authorization().endsWith("token-b") ? second : third).body());
                assertThat(a.get("events")).hasSize(2);
                assertThat(b.get("events")).hasSize(2);
                assertThat(b.get("events").get(0).get("path").asString()).isEqualTo("/api/v1/memories/1");
                assertThat(second.body() + third.body())
                        .doesNotContain("token-a")
                        .doesNotContain("token-b");
                Awaitility.await()
                        .atMost(10, TimeUnit.SECONDS)
                        .until(() ->
                                meters.counter(HttpAuditReporter.SENT_METRIC).count() == 5);
            } finally {
                reporter.destroy();
            }
        }
    }

    /** True once the drainer took the first event (the queue is empty again). */
    private static boolean receiverIsHolding(HttpAuditReporter reporter) throws Exception {
        var field = HttpAuditReporter.class.getDeclaredField("queue");
        field.setAccessible(true);
        return ((java.util.Collection<?>) field.get(reporter)).isEmpty();
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() throws Exception {
        try (AuditReceiver receiver = new AuditReceiver()) {
            receiver.gate = new CountDownLatch(1); // auth-service hangs
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            HttpAuditReporter reporter = new HttpAuditReporter(receiver.endpoint(), properties(2, 1), meters);
            try {
                for (int i = 0; i < 10; i++) {
                    reporter.denied(denial("token", i)); // returns at once even though nothing is delivered
                }
                // at most one event is in flight and two wait in the queue
                assertThat(dropped(meters, "queue_full")).isGreaterThanOrEqualTo(7);
                receiver.gate.countDown();
                Awaitility.await()
                        .atMost(20, TimeUnit.SECONDS)
                        .until(() ->
                                meters.counter(HttpAuditReporter.SENT_METRIC).count() + dropped(meters, "queue_full")
                                        == 10);
            } finally {
                reporter.destroy();
            }
        }
    }

    @Test
    void anUnreachableAuditServiceIsCountedAndDropped() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        HttpAuditReporter reporter = new HttpAuditReporter(
                URI.create("http://127.0.0.1:" + closedPort + "/api/v1/audit/events"), properties(10, 10), meters);
        try {
            reporter.denied(denial("token", 1));
            reporter.denied(denial("token", 2));
            Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> dropped(meters, "unreachable") == 2);
        } finally {
            reporter.destroy();
        }
    }

    @Test
    void theEndpointDefaultsToAuthServicesClientUrlOrTheJwksOrigin() {
        AuditReporterProperties none = properties(1, 1);
        MockEnvironment env = new MockEnvironment();
        assertThat(AuditReporterAutoConfiguration.endpoint(none, env))
                .isEqualTo(URI.create("http://localhost:8081/api/v1/audit/events"));
        env.setProperty("agency.security.jwks-uri", "http://auth-service:8081/.well-known/jwks.json");
        assertThat(AuditReporterAutoConfiguration.endpoint(none, env))
                .isEqualTo(URI.create("http://auth-service:8081/api/v1/audit/events"));
        env.setProperty("agency.clients.auth.base-url", "http://auth.internal:9000/");
        assertThat(AuditReporterAutoConfiguration.endpoint(none, env))
                .isEqualTo(URI.create("http://auth.internal:9000/api/v1/audit/events"));
        AuditReporterProperties explicit =
                new AuditReporterProperties(true, "https://audit.example/x", 1, 1, Duration.ZERO, Duration.ZERO);
        assertThat(AuditReporterAutoConfiguration.endpoint(explicit, env))
                .isEqualTo(URI.create("https://audit.example/x"));
    }
}
