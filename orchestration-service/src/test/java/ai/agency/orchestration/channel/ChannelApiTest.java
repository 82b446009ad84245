package ai.agency.orchestration.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.common.testsupport.UsageOwnerStub;
import ai.agency.orchestration.OrchestrationApiTest;
import ai.agency.orchestration.OrchestrationServiceApplication;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class ChannelApiTest extends OrchestrationApiTest {

    private static final String ASSISTANT = "00000000-0000-0000-0000-000000000001";

    @Autowired
    private Environment environment;

    @Autowired
    private ChannelDeliveries deliveries;

    @Autowired
    private ChannelRepository repository;

    @Test
    void aMessageIsDeliveredToTheOtherParticipantsWhoAnswer() {
        String user = newUser();
        Response agent = post(
                "/api/v1/agents",
                user,
                Map.of("name", "Mathematician", "capabilities", List.of("math"), "tools", List.of("calculator")));
        String mathematician = agent.json().get("id").asString();
        Response created = post(
                "/api/v1/channels", user, Map.of("name", "team", "participants", List.of(ASSISTANT, mathematician)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String channel = created.json().get("id").asString();

        Response sent = post(
                "/api/v1/channels/" + channel + "/messages",
                user,
                Map.of("senderId", ASSISTANT, "type", "math", "content", "What is 6 * 7?"));
        assertThat(sent.status()).as(sent.body()).isEqualTo(202);
        post(
                "/api/v1/channels/" + channel + "/messages",
                user,
                Map.of("senderId", mathematician, "type", "poetry", "content", "Roses are red"));

        JsonNode[] items = {null};
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            items[0] = get("/api/v1/channels/" + channel + "/messages?limit=10", user)
                    .json()
                    .get("items");
            assertThat(items[0].size()).isEqualTo(3);
        });
        // the reply may be stored before or after the second message: find each by its type
        JsonNode question = byType(items[0], "math");
        assertThat(question.get("deliveries").get(0).get("status").asString()).isEqualTo("delivered");
        assertThat(byType(items[0], "poetry")
                        .get("deliveries")
                        .get(0)
                        .get("status")
                        .asString())
                .isEqualTo("skipped");
        JsonNode reply = byType(items[0], "reply");
        assertThat(reply.get("type").asString()).isEqualTo("reply");
        assertThat(reply.get("senderId").asString()).isEqualTo(mathematician);
        assertThat(reply.get("inReplyTo").asString())
                .isEqualTo(question.get("id").asString());
        assertThat(reply.get("content").asString()).contains("42");

        assertProblem(get("/api/v1/channels/" + channel + "/messages", newUser()), 404, "not_found");
        assertProblem(
                post(
                        "/api/v1/channels/" + channel + "/messages",
                        user,
                        Map.of("senderId", UUID.randomUUID().toString(), "type", "math", "content", "x")),
                400,
                "validation");
    }

    /**
     * Another instance starts delivering a message to two agents, and stops in the middle of both chat turns (its
     * memory-service hangs). The pending deliveries are swept by this instance, delivered, and each recipient's answer
     * is recorded exactly once.
     */
    @Test
    void deliveriesLeftPendingByAStoppedInstanceAreRedeliveredOnce() throws IOException {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger hanging = new AtomicInteger();
        HttpServer stuckMemory = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        stuckMemory.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        stuckMemory.createContext(
                "/actuator/health/liveness",
                exchange -> { // the warm-up's probe before readiness
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                });
        stuckMemory.createContext("/", exchange -> {
            hanging.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        stuckMemory.start();
        String user = newUser();
        String channel;
        List<String> agents = new ArrayList<>();
        ConfigurableApplicationContext other = new SpringApplicationBuilder(OrchestrationServiceApplication.class)
                .initializers(context -> context.getBeanFactory().registerSingleton("testJwtDecoder", jwts.decoder()))
                .run(
                        "--server.port=0",
                        "--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                        "--spring.datasource.username=" + environment.getProperty("spring.datasource.username"),
                        "--spring.datasource.password=" + environment.getProperty("spring.datasource.password"),
                        "--AGENCY_MASTER_KEY=" + MASTER_KEY,
                        "--agency.usage.ingest-secret=" + UsageOwnerStub.SECRET,
                        "--agency.clients.memory.base-url=http://127.0.0.1:"
                                + stuckMemory.getAddress().getPort(),
                        "--agency.clients.memory.read-timeout=60s",
                        "--agency.clients.tool.base-url=" + stubUrl() + "/tool",
                        "--agency.orchestration.tools-cache-ttl=0s",
                        "--agency.orchestration.workflows.recovery-interval=1h");
        try {
            int mine = port;
            port = Integer.parseInt(other.getEnvironment().getProperty("local.server.port"));
            try {
                for (String name : List.of("Adder", "Multiplier")) {
                    Response agent = post(
                            "/api/v1/agents",
                            user,
                            Map.of("name", name, "capabilities", List.of("math"), "tools", List.of("calculator")));
                    assertThat(agent.status()).as(agent.body()).isEqualTo(201);
                    agents.add(agent.json().get("id").asString());
                }
                Response created = post(
                        "/api/v1/channels",
                        user,
                        Map.of("name", "restart", "participants", List.of(ASSISTANT, agents.get(0), agents.get(1))));
                channel = created.json().get("id").asString();
                Response sent = post(
                        "/api/v1/channels/" + channel + "/messages",
                        user,
                        Map.of("senderId", ASSISTANT, "type", "math", "content", "What is 6 * 7?"));
                assertThat(sent.status()).as(sent.body()).isEqualTo(202);
                // a message's recipients are answered one after another: the first turn hangs, the second waits
                await().atMost(Duration.ofSeconds(20)).until(() -> hanging.get() == 1);
            } finally {
                port = mine;
            }
        } finally {
            other.close();
            release.countDown();
            stuckMemory.stop(0);
        }
        JsonNode pending =
                get("/api/v1/channels/" + channel + "/messages", user).json().get("items");
        assertThat(pending.size()).isEqualTo(1);
        for (JsonNode delivery : pending.get(0).get("deliveries")) {
            assertThat(delivery.get("status").asString()).isEqualTo("pending");
            assertThat(delivery.get("attempts").asInt()).isZero();
        }

        deliveries.sweep(); // (the periodic sweep may have claimed them already)
        JsonNode[] items = {null};
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            items[0] = get("/api/v1/channels/" + channel + "/messages", user)
                    .json()
                    .get("items");
            assertThat(items[0].size()).isEqualTo(3);
            for (JsonNode delivery : items[0].get(0).get("deliveries")) {
                assertThat(delivery.get("status").asString()).isEqualTo("delivered");
            }
        });
        assertThat(deliveries.sweep()).isZero();
        List<String> repliers = new ArrayList<>();
        for (int i = 1; i < 3; i++) {
            JsonNode reply = items[0].get(i);
            assertThat(reply.get("type").asString()).isEqualTo("reply");
            assertThat(reply.get("content").asString()).contains("42");
            repliers.add(reply.get("senderId").asString());
        }
        assertThat(repliers).containsExactlyInAnyOrderElementsOf(agents);
        for (JsonNode delivery : items[0].get(0).get("deliveries")) {
            assertThat(delivery.get("attempts").asInt()).isEqualTo(1);
            assertThat(delivery.get("replyId").asString())
                    .isIn(
                            items[0].get(1).get("id").asString(),
                            items[0].get(2).get("id").asString());
        }
    }

    /** Instances sweeping at the same moment never claim the same delivery ({@code FOR UPDATE SKIP LOCKED}). */
    @Test
    void concurrentSweepsClaimEachPendingDeliveryAtMostOnce() throws Exception {
        String user = newUser();
        Response created = post("/api/v1/channels", user, Map.of("name", "claims", "participants", List.of(ASSISTANT)));
        UUID channel = UUID.fromString(created.json().get("id").asString());
        UUID owner = UUID.fromString(created.json().get("ownerId").asString());
        Set<ChannelRepository.Claim> pending = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            UUID message = UUID.randomUUID();
            UUID recipient = UUID.randomUUID();
            repository.insertMessage(
                    message,
                    channel,
                    owner,
                    UUID.fromString(ASSISTANT),
                    "note",
                    JSON.getNodeFactory().stringNode("m" + i),
                    null);
            repository.insertDelivery(message, recipient, owner, "pending", null, 0); // unclaimed, as if released
            pending.add(new ChannelRepository.Claim(message, recipient, owner));
        }
        List<Future<List<ChannelRepository.Claim>>> sweeps = new ArrayList<>();
        try (var threads = Executors.newFixedThreadPool(4)) {
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < 4; i++) {
                String instance = "sweeper-" + i;
                sweeps.add(threads.submit(() -> {
                    go.await();
                    List<ChannelRepository.Claim> mine = new ArrayList<>();
                    for (int round = 0; round < 10; round++) {
                        mine.addAll(repository.claimAbandoned(instance, 60_000, 15));
                    }
                    return mine;
                }));
            }
            go.countDown();
        }
        List<ChannelRepository.Claim> claimed = new ArrayList<>();
        for (var sweep : sweeps) {
            claimed.addAll(sweep.get().stream().filter(pending::contains).toList());
        }
        assertThat(claimed).doesNotHaveDuplicates();
        assertThat(claimed).isNotEmpty();
        repository.releaseClaims("sweeper-0"); // leave nothing claimed by instances that do not exist
        repository.releaseClaims("sweeper-1");
        repository.releaseClaims("sweeper-2");
        repository.releaseClaims("sweeper-3");
        jdbcCleanup(pending);
    }

    @Autowired
    private JdbcClient jdbc;

    @Test
    void theOwnerDeletesAChannelWithItsMessagesAndNobodyElseCan() {
        String owner = newUser();
        String stranger = newUser();
        Response created =
                post("/api/v1/channels", owner, Map.of("name", "to delete", "participants", List.of(ASSISTANT)));
        String channel = created.json().get("id").asString();
        post(
                "/api/v1/channels/" + channel + "/messages",
                owner,
                Map.of("senderId", ASSISTANT, "type", "note", "content", "channel-delete-marker"));

        assertProblem(send("DELETE", "/api/v1/channels/" + channel, stranger, null), 404, "not_found");
        assertThat(get("/api/v1/channels/" + channel, owner).status()).isEqualTo(200);

        assertThat(send("DELETE", "/api/v1/channels/" + channel, owner, null).status())
                .isEqualTo(204);

        assertProblem(get("/api/v1/channels/" + channel, owner), 404, "not_found");
        assertProblem(send("DELETE", "/api/v1/channels/" + channel, owner, null), 404, "not_found");
        assertThat(jdbc.sql("SELECT count(*) FROM channel_messages WHERE content::text LIKE '%channel-delete-marker%'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    /** These deliveries have no real recipient: remove them so that no sweep tries them. */
    private void jdbcCleanup(Set<ChannelRepository.Claim> pending) {
        for (ChannelRepository.Claim claim : pending) {
            jdbc.sql("DELETE FROM channel_messages WHERE id = :id")
                    .param("id", claim.messageId())
                    .update();
        }
    }

    private static JsonNode byType(JsonNode items, String type) {
        for (JsonNode item : items) {
            if (item.get("type").asString().equals(type)) {
                return item;
            }
        }
        throw new AssertionError("no message of type " + type + " in " + items);
    }
}
