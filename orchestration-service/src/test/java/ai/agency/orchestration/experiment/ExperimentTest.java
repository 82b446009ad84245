package ai.agency.orchestration.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import ai.agency.orchestration.model.MemoryBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * An A/B experiment between two versions of a shared agent, driven through the HTTP API by many users with the local
 * provider: each version's prompt carries a fact the local model quotes, so an answer shows which version gave it.
 * Checks the split by weight, stickiness, pause, resume, promote, the results' numbers and the metrics.
 */
class ExperimentTest extends OrchestrationApiTest {

    @Autowired
    private JdbcClient jdbc;

    private static final String QUESTION = "What of apples?";

    private static Map<String, Object> agent(String fact) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "Experimented");
        body.put("systemPrompt", "You answer.\n\n" + MemoryBlock.HEADER + "\n- " + fact + "\n");
        body.put("model", Map.of("provider", "local"));
        body.put("tools", List.of());
        body.put("shared", true);
        return body;
    }

    private static Map<String, Object> experiment(Object... versionsAndWeights) {
        List<Map<String, Object>> variants = new ArrayList<>();
        for (int i = 0; i < versionsAndWeights.length; i += 2) {
            variants.add(Map.of("version", versionsAndWeights[i], "weight", versionsAndWeights[i + 1]));
        }
        return Map.of("name", "apples", "variants", variants);
    }

    /** A shared agent (by {@code admin}) with version 1 "one answers apples" and version 2 "two answers apples". */
    private String twoVersions(String admin) {
        Response created = post("/api/v1/agents", admin, agent("variant one answers apples"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asString();
        Response changed = send("PUT", "/api/v1/agents/" + id, admin, agent("variant two answers apples"));
        assertThat(changed.json().get("version").asInt()).isEqualTo(2);
        return id;
    }

    private static int variantOf(String answer) {
        if (answer.contains("variant one")) {
            return 1;
        }
        assertThat(answer).contains("variant two");
        return 2;
    }

    @Test
    void twoVariantsSplitByWeightStickPauseAndPromote() {
        String admin = jwts.admin(UUID.randomUUID());
        String agentId = twoVersions(admin);
        Response started = post("/api/v1/agents/" + agentId + "/experiments", admin, experiment(1, 3, 2, 1));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        assertThat(started.json().get("status").asString()).isEqualTo("running");
        String experimentId = started.json().get("id").asString();
        assertProblem(
                post("/api/v1/agents/" + agentId + "/experiments", admin, experiment(1, 1, 2, 1)), 409, "conflict");

        int users = 100;
        List<String> tokens = new ArrayList<>();
        List<String> conversations = new ArrayList<>();
        List<Integer> variants = new ArrayList<>();
        int[] counts = new int[3];
        for (int i = 0; i < users; i++) {
            String token = newUser();
            String conversation = newConversation(token, agentId);
            // the first turn streamed (first-chunk latency), the second not: the same variant both times
            List<Event> events = stream(conversation, token, QUESTION);
            int variant = variantOf(text(events));
            JsonNode again = chat(conversation, token, QUESTION);
            assertThat(variantOf(again.get("content").asString())).isEqualTo(variant);
            assertThat(again.get("agentVersion").asInt()).isEqualTo(variant);
            assertThat(again.get("experimentId").asString()).isEqualTo(experimentId);
            if (variant == 1) {
                assertThat(post(feedback(conversation, again), token, Map.of("rating", "up"))
                                .status())
                        .isEqualTo(204);
            } else {
                assertThat(post(feedback(conversation, again), token, Map.of("rating", "down"))
                                .status())
                        .isEqualTo(204);
            }
            tokens.add(token);
            conversations.add(conversation);
            variants.add(variant);
            counts[variant]++;
        }
        // weights 3:1 → about 75 of 100 in version 1 (sd 4.3); the bounds are ~4.5 sd wide
        assertThat(counts[1]).isBetween(55, 94);
        assertThat(counts[1] + counts[2]).isEqualTo(users);

        JsonNode results =
                get("/api/v1/experiments/" + experimentId + "/results", admin).json();
        JsonNode one = results.get("variants").get(0);
        JsonNode two = results.get("variants").get(1);
        assertThat(one.get("version").asInt()).isEqualTo(1);
        assertThat(one.get("weight").asDouble()).isEqualTo(3.0);
        assertThat(one.get("users").asLong()).isEqualTo(counts[1]);
        assertThat(two.get("users").asLong()).isEqualTo(counts[2]);
        assertThat(one.get("turns").asLong()).isEqualTo(2L * counts[1]);
        assertThat(two.get("turns").asLong()).isEqualTo(2L * counts[2]);
        assertThat(one.get("feedback").get("up").asLong()).isEqualTo(counts[1]);
        assertThat(one.get("feedback").get("down").asLong()).isZero();
        assertThat(one.get("feedback").get("rate").asDouble()).isEqualTo(1.0);
        assertThat(two.get("feedback").get("down").asLong()).isEqualTo(counts[2]);
        assertThat(two.get("feedback").get("rate").asDouble()).isEqualTo(0.0);
        // Wilson interval of n/n: [n / (n + z²), 1]
        double n = counts[1];
        assertThat(one.get("feedback").get("ci95").get(0).asDouble())
                .isCloseTo(n / (n + 1.959964 * 1.959964), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(one.get("feedback").get("ci95").get(1).asDouble()).isEqualTo(1.0);
        assertThat(two.get("feedback").get("ci95").get(0).asDouble()).isEqualTo(0.0);
        for (JsonNode variant : List.of(one, two)) {
            assertThat(variant.get("turnMs").get("p50").asDouble()).isGreaterThanOrEqualTo(0);
            assertThat(variant.get("turnMs").get("p95").asDouble())
                    .isGreaterThanOrEqualTo(variant.get("turnMs").get("p50").asDouble());
            assertThat(variant.get("firstChunkMs").get("p50").isNumber()).isTrue();
            assertThat(variant.get("tokens").asLong()).isPositive();
            assertThat(variant.get("toolErrors").asLong()).isZero();
        }

        assertThat(one.get("failedTurns").asLong()).isZero();
        assertThat(one.get("cancelledTurns").asLong()).isZero();

        // a turn of version 1 that failed and one that was cancelled (slow, as failures are): counted apart, and
        // neither in the answered turns nor in their latency
        String failing = conversations.get(variants.indexOf(1));
        for (String status : List.of("failed", "cancelled")) {
            jdbc.sql("""
                            INSERT INTO messages (id, conversation_id, user_id, role, content, status, usage,
                                                  agent_version, experiment_id)
                            SELECT :id, c.id, c.user_id, 'assistant', '', :status,
                                   '{"turnMs": 600000, "firstChunkMs": 600000, "totalTokens": 5}', 1, :experiment
                            FROM conversations c WHERE c.id = :conversation""")
                    .param("id", UUID.randomUUID())
                    .param("status", status)
                    .param("experiment", UUID.fromString(experimentId))
                    .param("conversation", UUID.fromString(failing))
                    .update();
        }
        JsonNode withFailures = get("/api/v1/experiments/" + experimentId + "/results", admin)
                .json()
                .get("variants")
                .get(0);
        assertThat(withFailures.get("turns").asLong()).isEqualTo(2L * counts[1]);
        assertThat(withFailures.get("failedTurns").asLong()).isOne();
        assertThat(withFailures.get("cancelledTurns").asLong()).isOne();
        assertThat(withFailures.get("turnMs")).isEqualTo(one.get("turnMs"));
        assertThat(withFailures.get("firstChunkMs")).isEqualTo(one.get("firstChunkMs"));
        assertThat(withFailures.get("tokens").asLong())
                .isEqualTo(one.get("tokens").asLong() + 10);

        // paused: everyone gets the current version (2), outside the experiment; resumed: the kept variant again
        int firstOfOne = variants.indexOf(1);
        String user = tokens.get(firstOfOne);
        String conversation = conversations.get(firstOfOne);
        JsonNode paused = post("/api/v1/experiments/" + experimentId + "/pause", admin, null)
                .json();
        assertThat(paused.get("status").asString()).isEqualTo("paused");
        assertProblem(post("/api/v1/experiments/" + experimentId + "/pause", admin, null), 409, "conflict");
        JsonNode duringPause = chat(conversation, user, QUESTION);
        assertThat(variantOf(duringPause.get("content").asString())).isEqualTo(2);
        assertThat(duringPause.has("experimentId")).isFalse();
        assertThat(post("/api/v1/experiments/" + experimentId + "/resume", admin, null)
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("running");
        assertThat(variantOf(chat(conversation, user, QUESTION).get("content").asString()))
                .isEqualTo(1);
        JsonNode afterResume =
                get("/api/v1/experiments/" + experimentId + "/results", admin).json();
        assertThat(afterResume.get("variants").get(0).get("turns").asLong()).isEqualTo(2L * counts[1] + 1);

        // promote version 1: the agent's current content is version 1's again (as version 3); the experiment ends
        assertProblem(
                post("/api/v1/experiments/" + experimentId + "/promote", admin, Map.of("version", 7)),
                400,
                "validation");
        JsonNode promoted = post("/api/v1/experiments/" + experimentId + "/promote", admin, Map.of("version", 1))
                .json();
        assertThat(promoted.get("status").asString()).isEqualTo("ended");
        assertThat(promoted.get("winner").asInt()).isEqualTo(1);
        assertThat(get("/api/v1/agents/" + agentId, admin).json().get("version").asInt())
                .isEqualTo(3);
        int firstOfTwo = variants.indexOf(2);
        JsonNode afterPromote = chat(conversations.get(firstOfTwo), tokens.get(firstOfTwo), QUESTION);
        assertThat(variantOf(afterPromote.get("content").asString())).isEqualTo(1);
        assertThat(afterPromote.get("agentVersion").asInt()).isEqualTo(3);
        assertThat(afterPromote.has("experimentId")).isFalse();
        assertProblem(
                post("/api/v1/experiments/" + experimentId + "/promote", admin, Map.of("version", 1)), 409, "conflict");
        assertProblem(post("/api/v1/experiments/" + experimentId + "/resume", admin, null), 409, "conflict");
        // ended: a new experiment may start
        assertThat(post("/api/v1/agents/" + agentId + "/experiments", admin, experiment(2, 1, 3, 1))
                        .status())
                .isEqualTo(201);

        String metrics = scrape();
        String tags = "experiment=\"" + experimentId + "\"";
        assertThat(metrics.lines())
                .anyMatch(l -> l.startsWith("agency_experiment_turns_total{")
                        && l.contains(tags)
                        && l.contains("variant=\"v1\""))
                .anyMatch(l -> l.startsWith("agency_experiment_turn_seconds_bucket{") && l.contains(tags))
                .anyMatch(l -> l.startsWith("agency_experiment_first_chunk_seconds_bucket{") && l.contains(tags))
                .anyMatch(l -> l.startsWith("agency_experiment_feedback_total{")
                        && l.contains(tags)
                        && l.contains("rating=\"up\""));
    }

    @Test
    void experimentsAreCheckedAndOnlyTheirOwnersSeeThem() {
        String owner = newUser();
        Response created = post("/api/v1/agents", owner, Map.of("name", "Mine", "systemPrompt", "v1"));
        String agentId = created.json().get("id").asString();
        send("PUT", "/api/v1/agents/" + agentId, owner, Map.of("name", "Mine", "systemPrompt", "v2"));
        String path = "/api/v1/agents/" + agentId + "/experiments";

        JsonNode one = assertProblem(post(path, owner, experiment(1, 1)), 400, "validation");
        assertThat(one.get("errors").get(0).get("field").asString()).isEqualTo("variants");
        JsonNode zero = assertProblem(post(path, owner, experiment(1, 0, 2, 1)), 400, "validation");
        assertThat(zero.get("errors").get(0).get("field").asString()).isEqualTo("variants[0].weight");
        JsonNode unknown = assertProblem(post(path, owner, experiment(1, 1, 9, 1)), 400, "validation");
        assertThat(unknown.get("errors").get(0).get("field").asString()).isEqualTo("variants[1].version");
        JsonNode twice = assertProblem(post(path, owner, experiment(2, 1, 2, 1)), 400, "validation");
        assertThat(twice.get("errors").get(0).get("field").asString()).isEqualTo("variants[1].version");
        JsonNode noName = assertProblem(
                post(
                        path,
                        owner,
                        Map.of(
                                "variants",
                                List.of(Map.of("version", 1, "weight", 1), Map.of("version", 2, "weight", 1)))),
                400,
                "validation");
        assertThat(noName.get("errors").get(0).get("field").asString()).isEqualTo("name");

        String stranger = newUser();
        assertProblem(post(path, stranger, experiment(1, 1, 2, 1)), 404, "not_found");
        assertProblem(
                post(
                        "/api/v1/agents/00000000-0000-0000-0000-000000000001/experiments",
                        stranger,
                        experiment(1, 1, 1, 2)),
                403,
                "authorization");

        Response started = post(path, owner, experiment(1, 1, 2, 1));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        String id = started.json().get("id").asString();
        for (String action : List.of("results", "")) {
            assertProblem(
                    get("/api/v1/experiments/" + id + (action.isEmpty() ? "" : "/" + action), stranger),
                    404,
                    "not_found");
        }
        for (String action : List.of("pause", "resume")) {
            assertProblem(post("/api/v1/experiments/" + id + "/" + action, stranger, null), 404, "not_found");
        }
        assertProblem(post("/api/v1/experiments/" + id + "/promote", stranger, Map.of("version", 1)), 404, "not_found");
        assertProblem(post("/api/v1/experiments/" + id + "/promote", owner, Map.of()), 400, "validation");
        assertProblem(get("/api/v1/experiments/" + UUID.randomUUID() + "/results", owner), 404, "not_found");

        JsonNode empty = get("/api/v1/experiments/" + id + "/results", owner).json();
        JsonNode variant = empty.get("variants").get(0);
        assertThat(variant.get("turns").asLong()).isZero();
        assertThat(variant.get("feedback").get("rate").isNull()).isTrue();
        assertThat(variant.get("feedback").get("ci95").toString()).isEqualTo("[0.0,1.0]");
    }

    private static String feedback(String conversation, JsonNode message) {
        return "/api/v1/conversations/" + conversation + "/messages/"
                + message.get("id").asString() + "/feedback";
    }

    private String scrape() {
        try {
            return java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://localhost:" + port + "/actuator/prometheus"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
