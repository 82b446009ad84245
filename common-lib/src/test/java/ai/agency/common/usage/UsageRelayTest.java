package ai.agency.common.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestDatabase;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox against a real PostgreSQL and a real HTTP receiver: an event commits with the work or not at all; the
 * relay keeps events while the owner is away, and a new relay (a restarted service) delivers them once and empties
 * the outbox.
 */
class UsageRelayTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static DataSource dataSource;
    private static JdbcClient jdbc;

    private final List<String> deliveredIds = new CopyOnWriteArrayList<>();
    private final List<String> secrets = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(503);
    private HttpServer receiver;

    @BeforeAll
    static void database() {
        TestDatabase.Coordinates db = TestDatabase.create();
        dataSource = new DriverManagerDataSource(db.url(), db.username(), db.password());
        jdbc = JdbcClient.create(dataSource);
        jdbc.sql("""
                CREATE TABLE usage_outbox (
                    seq bigserial NOT NULL, id uuid PRIMARY KEY, user_id uuid NOT NULL, at timestamptz NOT NULL,
                    kind text NOT NULL, subject text NOT NULL DEFAULT '', count bigint NOT NULL DEFAULT 0,
                    tokens_in bigint NOT NULL DEFAULT 0, tokens_out bigint NOT NULL DEFAULT 0,
                    bytes bigint NOT NULL DEFAULT 0)
                """).update();
    }

    @BeforeEach
    void startReceiver() throws IOException {
        jdbc.sql("DELETE FROM usage_outbox").update();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/internal/usage/events", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            secrets.add(String.valueOf(exchange.getRequestHeaders().getFirst(UsageProperties.SECRET_HEADER)));
            int answer = status.get();
            if (answer == 200) {
                body.path("events").forEach(e -> deliveredIds.add(e.path("id").asString()));
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private UsageRelay relay() {
        UsageProperties properties = new UsageProperties(
                "outbox",
                "",
                Duration.ofMillis(100),
                200,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                "shared-secret-0123456789",
                Duration.ofSeconds(5));
        return new UsageRelay(
                dataSource,
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort()),
                properties,
                new SimpleMeterRegistry());
    }

    private static long outbox() {
        return jdbc.sql("SELECT count(*) FROM usage_outbox").query(Long.class).single();
    }

    @Test
    void anEventCommitsWithItsWorkAndSurvivesARestartToBeDeliveredOnce() {
        UsageRecorder recorder = new UsageRecorder(dataSource);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        UUID user = UUID.randomUUID();
        UsageEvent turn = UsageEvent.turn(UUID.randomUUID(), user);
        UsageEvent tokens = UsageEvent.tokens(UUID.randomUUID(), user, "local", "local-echo", 12, 30);
        tx.executeWithoutResult(s -> recorder.recordAll(List.of(turn, tokens)));
        tx.executeWithoutResult(s -> {
            recorder.record(UsageEvent.toolCall(UUID.randomUUID(), user, "calculator"));
            s.setRollbackOnly(); // the work failed: its usage goes with it
        });
        recorder.record(turn); // the same event again: still one row
        assertThat(outbox()).isEqualTo(2);

        // the owner is away: nothing is lost
        UsageRelay before = relay();
        assertThat(before.flush()).isZero();
        assertThat(outbox()).isEqualTo(2);
        assertThat(deliveredIds).isEmpty();

        // "restart": a new relay instance, the owner back
        status.set(200);
        UsageRelay after = relay();
        after.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> outbox() == 0);
        } finally {
            after.stop();
        }
        assertThat(deliveredIds)
                .containsExactlyInAnyOrder(turn.id().toString(), tokens.id().toString());
        assertThat(after.flush()).isZero();
        assertThat(deliveredIds).hasSize(2);
        assertThat(secrets).containsOnly("shared-secret-0123456789");
    }

    @Test
    void aServiceWithoutADatabaseKeepsItsQueuedEventsUntilTheOwnerTakesThem() {
        UsageQueue queue = new UsageQueue(
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort()),
                new UsageProperties(
                        "queue",
                        "",
                        Duration.ofMillis(100),
                        200,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5),
                        "queue-secret-0123456789",
                        Duration.ofSeconds(5)),
                new SimpleMeterRegistry());
        UsageEvent first = UsageEvent.analysis(UUID.randomUUID(), UUID.randomUUID(), "image");
        UsageEvent second = UsageEvent.analysis(UUID.randomUUID(), UUID.randomUUID(), "text");
        queue.record(first);
        queue.record(second);
        assertThat(queue.flush()).isZero(); // the owner answers 503: both wait
        status.set(200);
        assertThat(queue.flush()).isEqualTo(2);
        assertThat(deliveredIds)
                .containsExactly(first.id().toString(), second.id().toString());
        assertThat(queue.flush()).isZero();
    }

    @Test
    void batchesCarryEveryMemberTheOwnerCounts() {
        status.set(200);
        UUID user = UUID.randomUUID();
        new UsageRecorder(dataSource).record(UsageEvent.memoryAdded(UUID.randomUUID(), user, 321));
        List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();
        receiver.removeContext("/internal/usage/events");
        receiver.createContext("/internal/usage/events", exchange -> {
            JSON.readTree(exchange.getRequestBody().readAllBytes())
                    .path("events")
                    .forEach(e -> seen.add(JSON.convertValue(e, Map.class)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        assertThat(relay().flush()).isEqualTo(1);
        assertThat(seen).singleElement().satisfies(e -> {
            assertThat(e)
                    .containsEntry("userId", user.toString())
                    .containsEntry("kind", "memory_added")
                    .containsEntry("subject", "")
                    .containsEntry("count", 1)
                    .containsEntry("bytes", 321)
                    .containsKeys("id", "at", "tokensIn", "tokensOut");
        });
    }

    @Test
    void aRecordingServiceDoesNotStartWithoutTheIngestSecret() {
        // without it, anyone on the services' network could post usage for any user to auth-service
        for (String record : List.of("outbox", "queue")) {
            for (String secret : List.of("", "   ", "short-secret")) {
                assertThatThrownBy(() -> new UsageProperties(
                                record,
                                "",
                                Duration.ofSeconds(1),
                                200,
                                Duration.ofSeconds(2),
                                Duration.ofSeconds(5),
                                secret,
                                Duration.ofSeconds(5)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("AGENCY_USAGE_INGEST_SECRET");
            }
        }
        // a service that records nothing needs none
        assertThat(new UsageProperties(
                                "none",
                                "",
                                Duration.ofSeconds(1),
                                200,
                                Duration.ofSeconds(2),
                                Duration.ofSeconds(5),
                                "",
                                Duration.ofSeconds(5))
                        .ingestSecret())
                .isEmpty();
    }

    @Test
    void theOutboxIsAccountDataOfEachUserAlone() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        UsageRecorder recorder = new UsageRecorder(dataSource);
        recorder.recordAll(List.of(
                UsageEvent.toolCall(UUID.randomUUID(), alice, "calculator"),
                UsageEvent.memoryAdded(UUID.randomUUID(), alice, 42),
                UsageEvent.turn(UUID.randomUUID(), bob)));
        UsageOutboxAccountData data = new UsageOutboxAccountData(dataSource);
        assertThat(data.kinds()).containsExactly("usage_outbox");

        List<Object> exported = new java.util.ArrayList<>();
        data.export(alice, "usage_outbox", exported::add);
        assertThat(exported).hasSize(2).allSatisfy(e -> assertThat(e.toString()).doesNotContain(bob.toString()));
        assertThat(exported.get(0).toString()).contains("tool_call", "calculator");

        assertThat(data.erase(alice)).containsEntry("usage_outbox", 2L);
        assertThat(data.erase(alice)).containsEntry("usage_outbox", 0L);
        List<Object> left = new java.util.ArrayList<>();
        data.export(bob, "usage_outbox", left::add);
        assertThat(left).hasSize(1);
    }
}
