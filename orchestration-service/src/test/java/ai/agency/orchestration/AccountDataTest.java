package ai.agency.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * orchestration-service's part of exporting and erasing an account ({@code /internal/account-data}, as auth-service's
 * jobs call it): two users with data in every area, each text carrying a marker of its user. The export gives each
 * user their own records and no secret; the erasure leaves no row of any table of the schema with the user's marker or
 * id (grepped), stops the user's running run for good, and leaves the other user's data working.
 */
class AccountDataTest extends OrchestrationApiTest {

    private static final String ASSISTANT = "00000000-0000-0000-0000-000000000001";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static final List<String> KINDS = List.of(
            "conversations",
            "messages",
            "message_feedback",
            "agents",
            "agent_versions",
            "experiments",
            "experiment_assignments",
            "workflows",
            "runs",
            "run_steps",
            "run_events",
            "schedules",
            "schedule_fires",
            "webhooks",
            "webhook_deliveries",
            "channels",
            "channel_messages",
            "channel_deliveries",
            "usage_outbox");

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private MeterRegistry meters;

    private double cancelledRuns() {
        return meters.counter("agency_workflow_runs_total", "status", "cancelled")
                .count();
    }

    /** A user and what they made; every text they wrote holds {@code marker}. */
    record Account(
            UUID id,
            String token,
            String marker,
            String conversationId,
            String agentId,
            String experimentId,
            String workflowId,
            String runId,
            String scheduleId,
            String webhookId,
            String webhookSecret,
            String channelId) {

        String dataToken(AccountDataTest test) {
            return test.jwts.withScopes(id, List.of("user"), List.of("account_data"));
        }
    }

    private Account populate() {
        UUID id = UUID.randomUUID();
        String token = jwts.user(id);
        String marker = "mk" + HexFormat.of().toHexDigits(UUID.randomUUID().getMostSignificantBits());

        Response conversation = post("/api/v1/conversations", token, Map.of("title", "talk " + marker));
        assertThat(conversation.status()).as(conversation.body()).isEqualTo(201);
        String conversationId = conversation.json().get("id").asString();
        JsonNode answer = chat(conversationId, token, "Remember that my codename is " + marker + ".");
        assertThat(answer.get("content").asString()).contains(marker);
        Response rated = post(
                "/api/v1/conversations/" + conversationId + "/messages/"
                        + answer.get("id").asString() + "/feedback",
                token,
                Map.of("rating", "up", "comment", "nice " + marker));
        assertThat(rated.status()).as(rated.body()).isEqualTo(204);

        Response agent = post("/api/v1/agents", token, agent("first " + marker));
        assertThat(agent.status()).as(agent.body()).isEqualTo(201);
        String agentId = agent.json().get("id").asString();
        Response changed = send("PUT", "/api/v1/agents/" + agentId, token, agent("second " + marker));
        assertThat(changed.json().get("version").asInt()).as(changed.body()).isEqualTo(2);
        Response experiment = post(
                "/api/v1/agents/" + agentId + "/experiments",
                token,
                Map.of(
                        "name",
                        "exp " + marker,
                        "variants",
                        List.of(Map.of("version", 1, "weight", 1), Map.of("version", 2, "weight", 1))));
        assertThat(experiment.status()).as(experiment.body()).isEqualTo(201);
        chat(newConversation(token, agentId), token, "What is 2 + 3? " + marker);

        Response workflow = post(
                "/api/v1/workflows",
                token,
                Map.of(
                        "name",
                        "wf " + marker,
                        "description",
                        "about " + marker,
                        "steps",
                        List.of(Map.of("id", "echo", "type", "transform", "input", Map.of("note", "{{input.note}}")))));
        assertThat(workflow.status()).as(workflow.body()).isEqualTo(201);
        String workflowId = workflow.json().get("id").asString();
        String runId = post("/api/v1/workflows/" + workflowId + "/runs", token, Map.of("input", Map.of("note", marker)))
                .json()
                .get("runId")
                .asString();
        await().atMost(WAIT)
                .until(() -> get("/api/v1/runs/" + runId, token)
                        .json()
                        .get("status")
                        .asString()
                        .equals("succeeded"));
        Response schedule = post(
                "/api/v1/workflows/" + workflowId + "/schedules",
                token,
                Map.of("cron", "0 0 0 1 1 *", "input", Map.of("note", marker)));
        assertThat(schedule.status()).as(schedule.body()).isEqualTo(201);
        Response webhook = post("/api/v1/workflows/" + workflowId + "/webhooks", token, null);
        assertThat(webhook.status()).as(webhook.body()).isEqualTo(201);
        String webhookId = webhook.json().get("id").asString();
        String secret = webhook.json().get("secret").asString();
        HttpResponse<String> delivered =
                SignedHooks.deliver(port, webhookId, secret, "{\"note\":\"" + marker + "\"}", "delivery-" + marker);
        assertThat(delivered.statusCode()).as(delivered.body()).isEqualTo(202);

        Response channel = post(
                "/api/v1/channels", token, Map.of("name", "ch " + marker, "participants", List.of(ASSISTANT, agentId)));
        assertThat(channel.status()).as(channel.body()).isEqualTo(201);
        String channelId = channel.json().get("id").asString();
        Response sent = post(
                "/api/v1/channels/" + channelId + "/messages",
                token,
                Map.of("senderId", agentId, "type", "memory", "content", "note " + marker));
        assertThat(sent.status()).as(sent.body()).isEqualTo(202);
        awaitDeliveries(channelId);
        return new Account(
                id,
                token,
                marker,
                conversationId,
                agentId,
                experiment.json().get("id").asString(),
                workflowId,
                runId,
                schedule.json().get("id").asString(),
                webhookId,
                secret,
                channelId);
    }

    private static Map<String, Object> agent(String prompt) {
        return Map.of("name", "helper", "systemPrompt", "You are " + prompt, "capabilities", List.of("memory"));
    }

    private Response export(String token, String kind) {
        return get("/internal/account-data/export/" + kind, token);
    }

    /** Rows of each table of the service's schema whose text holds {@code needle}, for the tables that have any. */
    private Map<String, Long> grep(String needle) {
        Map<String, Long> found = new LinkedHashMap<>();
        for (String table : jdbc.sql("""
                        SELECT table_name FROM information_schema.tables
                        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
                        """).query(String.class).list()) {
            long rows = jdbc.sql("SELECT count(*) FROM \"" + table + "\" t WHERE t::text LIKE '%' || :needle || '%'")
                    .param("needle", needle)
                    .query(Long.class)
                    .single();
            if (rows > 0) {
                found.put(table, rows);
            }
        }
        return found;
    }

    @Test
    void theExportGivesEachKindOfTheUsersOwnRecordsAndNoSecret() {
        Account a = populate();
        Account b = populate();
        Response kinds = get("/internal/account-data/kinds", a.dataToken(this));
        assertThat(kinds.status()).as(kinds.body()).isEqualTo(200);
        List<String> served = new ArrayList<>();
        kinds.json().get("kinds").forEach(k -> served.add(k.asString()));
        assertThat(served).containsExactlyInAnyOrderElementsOf(KINDS);

        Map<String, List<JsonNode>> records = new LinkedHashMap<>();
        for (String kind : KINDS) {
            Response exported = export(a.dataToken(this), kind);
            assertThat(exported.status()).as(kind + ": " + exported.body()).isEqualTo(200);
            assertThat(exported.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
            assertThat(exported.body())
                    .as(kind + " holds nothing of the other user and no secret")
                    .doesNotContain(b.marker())
                    .doesNotContain(b.id().toString())
                    .doesNotContain(a.webhookSecret())
                    .doesNotContain("whsec_")
                    .doesNotContain("agk_")
                    .doesNotContain("credential")
                    .doesNotContain("token\":\"ey");
            List<JsonNode> lines = new ArrayList<>();
            exported.body().lines().forEach(line -> lines.add(JSON.readTree(line)));
            records.put(kind, lines);
        }
        // the chat, the chat with the agent, and the assistant's conversation of the channel delivery
        assertThat(records.get("conversations")).hasSize(3);
        List<String> conversations = records.get("conversations").stream()
                .map(c -> c.get("id").asString())
                .toList();
        assertThat(records.get("messages"))
                .hasSizeGreaterThanOrEqualTo(6)
                .allSatisfy(m -> assertThat(m.get("conversationId").asString()).isIn(conversations));
        assertThat(records.get("messages"))
                .filteredOn(m -> m.get("role").asString().equals("user"))
                .allSatisfy(m -> assertThat(m.get("content").asString()).contains(a.marker()));
        assertThat(records.get("message_feedback").get(0).get("comment").asString())
                .isEqualTo("nice " + a.marker());
        assertThat(records.get("agents"))
                .singleElement()
                .satisfies(agent -> assertThat(agent.get("id").asString()).isEqualTo(a.agentId()));
        assertThat(records.get("agent_versions"))
                .extracting(v -> v.get("systemPrompt").asString())
                .containsExactly("You are first " + a.marker(), "You are second " + a.marker());
        assertThat(records.get("experiments").get(0).get("name").asString()).isEqualTo("exp " + a.marker());
        assertThat(records.get("experiment_assignments"))
                .singleElement()
                .satisfies(e -> assertThat(e.get("experimentId").asString()).isEqualTo(a.experimentId()));
        assertThat(records.get("workflows").get(0).get("description").asString())
                .isEqualTo("about " + a.marker());
        assertThat(records.get("runs"))
                .hasSize(2)
                .allSatisfy(
                        r -> assertThat(r.get("input").get("note").asString()).isEqualTo(a.marker()));
        assertThat(records.get("run_steps")).hasSize(2);
        assertThat(records.get("run_events"))
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("runId").asString())
                        .isIn(records.get("runs").stream()
                                .map(r -> r.get("id").asString())
                                .toList()));
        assertThat(records.get("schedules"))
                .singleElement()
                .satisfies(s -> assertThat(s.get("id").asString()).isEqualTo(a.scheduleId()));
        assertThat(records.get("webhooks")).singleElement().satisfies(w -> {
            assertThat(w.get("id").asString()).isEqualTo(a.webhookId());
            assertThat(w.has("secret")).isFalse();
        });
        assertThat(records.get("webhook_deliveries").get(0).get("deliveryId").asString())
                .isEqualTo("delivery-" + a.marker());
        assertThat(records.get("channels").get(0).get("name").asString()).isEqualTo("ch " + a.marker());
        assertThat(records.get("channel_messages").get(0).get("content").toString())
                .contains(a.marker());
        assertThat(records.get("channel_deliveries")).isNotEmpty();
        assertProblem(export(a.dataToken(this), "passwords"), 404, "not_found");
    }

    @Test
    void erasingLeavesNoTraceOfTheUserStopsTheirRunAndSparesTheOtherUser() {
        Account a = populate();
        Account b = populate();
        String gate = "erase-" + a.marker();
        String hanging = post(
                        "/api/v1/workflows",
                        a.token(),
                        Map.of(
                                "name",
                                "hang " + a.marker(),
                                "steps",
                                List.of(Map.of(
                                        "id",
                                        "hang",
                                        "type",
                                        "tool",
                                        "input",
                                        Map.of("tool", "gate", "parameters", Map.of("key", gate, "parties", 2))))))
                .json()
                .get("id")
                .asString();
        String runningId = post(
                        "/api/v1/workflows/" + hanging + "/runs", a.token(), Map.of("input", Map.of("n", a.marker())))
                .json()
                .get("runId")
                .asString();
        await().atMost(WAIT).until(() -> calls(gate) == 1);
        assertThat(grep(a.marker())).containsKeys("conversations", "messages", "agents", "runs", "channel_messages");
        assertThat(grep("user-" + a.id().toString().substring(0, 8))).containsKeys("runs", "channel_messages");

        double cancelledBefore = cancelledRuns();
        Response erased = send("DELETE", "/internal/account-data", a.dataToken(this), null);
        assertThat(erased.status()).as(erased.body()).isEqualTo(200);
        JsonNode counts = erased.json().get("erased");
        assertThat(counts.get("conversations").asLong()).isEqualTo(3);
        assertThat(counts.get("runs").asLong()).isEqualTo(3);
        assertThat(counts.get("workflows").asLong()).isEqualTo(2);
        assertThat(counts.get("agents").asLong()).isEqualTo(1);
        assertThat(counts.get("schedules").asLong()).isEqualTo(1);
        assertThat(counts.get("webhooks").asLong()).isEqualTo(1);
        Response again = send("DELETE", "/internal/account-data", a.dataToken(this), null);
        assertThat(again.status())
                .as("erasing twice is harmless: " + again.body())
                .isEqualTo(200);
        again.json()
                .get("erased")
                .properties()
                .forEach(e -> assertThat(e.getValue().asLong()).as(e.getKey()).isZero());

        assertThat(cancelledRuns()).as("the running run was cancelled first").isGreaterThan(cancelledBefore);
        // the run was running: its step now ends, and nothing of it may come back
        GATES.computeIfAbsent(gate, k -> new CountDownLatch(1)).countDown();
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() -> {
            assertThat(grep(a.marker())).as("tables holding A's marker").isEmpty();
            assertThat(grep(a.id().toString())).as("tables holding A's id").isEmpty();
            assertThat(grep("user-" + a.id().toString().substring(0, 8)))
                    .as("tables holding A's username (TestJwts names users so)")
                    .isEmpty();
        });
        assertThat(jdbc.sql("SELECT count(*) FROM runs WHERE id = :id")
                        .param("id", UUID.fromString(runningId))
                        .query(Integer.class)
                        .single())
                .isZero();
        assertProblem(get("/api/v1/runs/" + a.runId(), a.token()), 404, "not_found");
        assertThat(get("/api/v1/conversations", a.token()).json().get("items")).isEmpty();
        HttpResponse<String> hook = SignedHooks.deliver(port, a.webhookId(), a.webhookSecret(), "{}", "late");
        assertThat(hook.statusCode()).as("an erased webhook's URL").isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_instance = :id")
                        .param("id", a.scheduleId())
                        .query(Integer.class)
                        .single())
                .as("the schedule's tick")
                .isZero();

        assertThat(grep(b.marker())).containsKeys("conversations", "messages", "agent_versions", "runs");
        assertThat(get("/api/v1/conversations", b.token()).json().get("items")).hasSize(3);
        assertThat(get("/api/v1/conversations/" + b.conversationId() + "/messages", b.token())
                        .body())
                .contains(b.marker());
        assertThat(get("/api/v1/agents/" + b.agentId() + "/versions", b.token())
                        .json()
                        .get("items"))
                .hasSize(2);
        assertThat(get("/api/v1/experiments/" + b.experimentId() + "/results", b.token())
                        .status())
                .isEqualTo(200);
        assertThat(get("/api/v1/runs/" + b.runId(), b.token())
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("succeeded");
        assertThat(get("/api/v1/schedules", b.token()).json().get("items")).hasSize(1);
        assertThat(SignedHooks.deliver(port, b.webhookId(), b.webhookSecret(), "{\"note\":\"again\"}", "again")
                        .statusCode())
                .isEqualTo(202);
        assertThat(get("/api/v1/channels/" + b.channelId() + "/messages", b.token())
                        .body())
                .contains(b.marker());
    }

    @Test
    void aRunInTheMiddleOfAnAgentTurnLeavesNothingBehind() {
        UUID id = UUID.randomUUID();
        String token = jwts.user(id);
        String marker = "mk" + HexFormat.of().toHexDigits(UUID.randomUUID().getMostSignificantBits());
        String hold = "hold-" + marker;
        HOLDS.put(hold, new CountDownLatch(1));
        Map<String, Object> remote = new LinkedHashMap<>(agent("remote " + marker));
        remote.put("model", Map.of("provider", "openai"));
        String agentId = post("/api/v1/agents", token, remote).json().get("id").asString();
        Response workflow = post(
                "/api/v1/workflows",
                token,
                Map.of(
                        "name",
                        "ask",
                        "steps",
                        List.of(Map.of(
                                "id",
                                "ask",
                                "type",
                                "agent",
                                "agentId",
                                agentId,
                                "input",
                                "hold:" + hold + " " + marker))));
        assertThat(workflow.status()).as(workflow.body()).isEqualTo(201);
        post("/api/v1/workflows/" + workflow.json().get("id").asString() + "/runs", token, Map.of("input", Map.of()));
        await().atMost(WAIT).until(() -> HELD.containsKey(hold));
        assertThat(grep(marker)).as("the turn has begun").containsKeys("messages", "runs");

        Response erased = send(
                "DELETE",
                "/internal/account-data",
                jwts.withScopes(id, List.of("user"), List.of("account_data")),
                null);
        assertThat(erased.status()).as(erased.body()).isEqualTo(200);
        HOLDS.get(hold).countDown(); // the model answers now, to a turn whose run and conversation are gone
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() -> {
            assertThat(grep(marker)).as("tables holding the user's marker").isEmpty();
            assertThat(grep(id.toString())).as("tables holding the user's id").isEmpty();
        });
    }

    @Test
    void whatIsAnotherUsersStaysTheirsWithoutTheErasedUser() {
        UUID adminId = UUID.randomUUID();
        String admin = jwts.admin(adminId);
        String marker = "mk" + HexFormat.of().toHexDigits(UUID.randomUUID().getMostSignificantBits());
        String published = post("/api/v1/agents", admin, agent("published"))
                .json()
                .get("id")
                .asString();
        Map<String, Object> shared = new LinkedHashMap<>(agent("published"));
        shared.put("shared", true);
        assertThat(send("PUT", "/api/v1/agents/" + published, admin, shared).status())
                .isEqualTo(200);
        String once = post("/api/v1/agents", admin, agent("once shared " + marker))
                .json()
                .get("id")
                .asString();
        Map<String, Object> onceShared = new LinkedHashMap<>(agent("once shared " + marker));
        onceShared.put("shared", true);
        assertThat(send("PUT", "/api/v1/agents/" + once, admin, onceShared).status())
                .isEqualTo(200);

        String other = jwts.user(UUID.randomUUID());
        String withPublished = newConversation(other, published);
        chat(withPublished, other, "What is 1 + 1?");
        String withOnce = newConversation(other, once);
        chat(withOnce, other, "What is 2 + 2?");
        onceShared.put("shared", false);
        assertThat(send("PUT", "/api/v1/agents/" + once, admin, onceShared).status())
                .isEqualTo(200);
        String workflow = post(
                        "/api/v1/workflows",
                        other,
                        Map.of(
                                "name",
                                "gated",
                                "steps",
                                List.of(Map.of("id", "ok", "type", "approval", "input", Map.of()))))
                .json()
                .get("id")
                .asString();
        String run = post("/api/v1/workflows/" + workflow + "/runs", other, Map.of("input", Map.of()))
                .json()
                .get("runId")
                .asString();
        await().atMost(WAIT)
                .until(() -> get("/api/v1/runs/" + run, other)
                        .json()
                        .get("status")
                        .asString()
                        .equals("waiting_approval"));
        Response approved =
                post("/api/v1/runs/" + run + "/steps/ok/approval", admin, Map.of("approved", true, "comment", "fine"));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(grep(adminId.toString())).containsKeys("agents", "agent_versions", "run_steps");

        String dataToken = jwts.withScopes(adminId, List.of("admin", "user"), List.of("account_data"));
        Response erased = send("DELETE", "/internal/account-data", dataToken, null);
        assertThat(erased.status()).as(erased.body()).isEqualTo(200);

        assertThat(grep(adminId.toString())).as("tables holding the admin's id").isEmpty();
        assertThat(grep(marker)).as("tables holding the admin's private agent").isEmpty();
        JsonNode agent = get("/api/v1/agents/" + published, other).json();
        assertThat(agent.get("shared").asBoolean())
                .as("the published agent stays")
                .isTrue();
        assertThat(agent.get("ownerId").isNull()).isTrue();
        assertThat(chat(withPublished, other, "What is 3 + 3?").get("role").asString())
                .as("the published agent still answers")
                .isEqualTo("assistant");
        JsonNode moved = get("/api/v1/conversations/" + withOnce, other).json();
        assertThat(moved.get("agentId").asString()).as("moved to the assistant").isEqualTo(ASSISTANT);
        assertThat(get("/api/v1/conversations/" + withOnce + "/messages", other).body())
                .contains("What is 2 + 2?");
        JsonNode step = get("/api/v1/runs/" + run, other).json().get("steps").get(0);
        assertThat(step.get("status").asString()).isEqualTo("succeeded");
        assertThat(step.get("approval").get("approved").asBoolean()).isTrue();
        assertThat(step.get("approval").get("by").isNull()).isTrue();
        assertThat(step.get("approval").has("comment")).isFalse();
    }

    @Test
    void noOtherTokenReachesTheJobsEndpoints() {
        Account a = populate();
        String admin = jwts.admin(a.id());
        for (String token : List.of(a.token(), admin)) {
            assertProblem(send("DELETE", "/internal/account-data", token, null), 403, "authorization");
            assertProblem(export(token, "messages"), 403, "authorization");
            assertProblem(get("/internal/account-data/kinds", token), 403, "authorization");
        }
        assertThat(send("DELETE", "/internal/account-data", null, null).status())
                .isEqualTo(401);
        assertThat(export(null, "messages").status()).isEqualTo(401);
        assertProblem(get("/api/v1/conversations", a.dataToken(this)), 403, "authorization");
        assertProblem(
                send("DELETE", "/api/v1/workflows/" + a.workflowId(), a.dataToken(this), null), 403, "authorization");

        assertThat(grep(a.marker())).containsKeys("conversations", "messages", "workflows", "runs", "channels");
        assertThat(get("/api/v1/conversations", a.token()).json().get("items")).hasSize(3);
        assertThat(get("/api/v1/workflows/" + a.workflowId(), a.token()).status())
                .isEqualTo(200);
    }

    /** Waits until no delivery of the user's channel message is pending (its answer is written). */
    private void awaitDeliveries(String channelId) {
        await().atMost(WAIT)
                .until(() -> jdbc.sql("""
                                SELECT count(*) FROM channel_deliveries d JOIN channel_messages m ON m.id = d.message_id
                                WHERE m.channel_id = :channel AND d.status = 'pending'
                                """)
                                .param("channel", UUID.fromString(channelId))
                                .query(Integer.class)
                                .single()
                        == 0);
    }
}
