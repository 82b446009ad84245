package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.common.testsupport.UsageOwnerStub;
import ai.agency.orchestration.OrchestrationApiTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Chat turns and workflow steps as usage: recorded with the answer, relayed over HTTP to the owner (a stub of
 * auth-service's ingest), and a turn refused with a 429 problem once the owner reports the day's tokens used up.
 */
class UsageRecordingTest extends OrchestrationApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final UsageOwnerStub owner = UsageOwnerStub.shared();

    @Autowired
    private JdbcClient jdbc;

    @Test
    void aTurnReachesTheOwnerWithItsTokensAndModel() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        JsonNode answer = chat(newConversation(token), token, "What is 6 * 7?");
        long in = answer.get("usage").get("promptTokens").asLong();
        long out = answer.get("usage").get("completionTokens").asLong();
        assertThat(in).isPositive();
        assertThat(out).isPositive();

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(owner.eventsOf(user)).hasSize(2));
        List<JsonNode> events = owner.eventsOf(user);
        JsonNode turn = events.stream()
                .filter(e -> e.get("kind").asString().equals("turn"))
                .findFirst()
                .orElseThrow();
        assertThat(turn.get("count").asLong()).isEqualTo(1);
        JsonNode tokens = events.stream()
                .filter(e -> e.get("kind").asString().equals("tokens"))
                .findFirst()
                .orElseThrow();
        assertThat(tokens.get("subject").asString())
                .isEqualTo("local/" + answer.get("model").asString());
        assertThat(tokens.get("tokensIn").asLong()).isEqualTo(in);
        assertThat(tokens.get("tokensOut").asLong()).isEqualTo(out);
        // delivered, so gone from the outbox
        assertThat(jdbc.sql("SELECT count(*) FROM usage_outbox WHERE user_id = :u")
                        .param("u", user)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aTurnOverTheDailyTokenQuotaIsRefusedWithTheQuotaNamed() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        String conversation = newConversation(token);
        Instant midnight = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
        owner.quota(user, "tokens_per_day", 500, 500, midnight);

        Response refused =
                post("/api/v1/conversations/" + conversation + "/messages", token, Map.of("content", "Hello"));
        JsonNode problem = assertProblem(refused, 429, "rate_limit");
        assertThat(problem.get("quota").asString()).isEqualTo("tokens_per_day");
        assertThat(problem.get("limit").asLong()).isEqualTo(500);
        assertThat(Instant.parse(problem.get("resetsAt").asString())).isEqualTo(midnight);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(owner.eventsOf(user)).isEmpty();

        // another user with tokens left is served
        UUID other = UUID.randomUUID();
        owner.quota(other, "tokens_per_day", 500, 499, midnight);
        String otherToken = jwts.user(other);
        chat(newConversation(otherToken), otherToken, "Hello");
    }

    @Test
    void eachWorkflowStepThatEndsCountsOnce() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        Response created = post(
                "/api/v1/workflows",
                token,
                Map.of(
                        "name",
                        "two steps",
                        "steps",
                        List.of(
                                Map.of("id", "a", "type", "transform", "input", Map.of("x", 1)),
                                Map.of(
                                        "id",
                                        "b",
                                        "type",
                                        "tool",
                                        "dependsOn",
                                        List.of("a"),
                                        "input",
                                        Map.of("tool", "calculator", "parameters", Map.of("expression", "1+1"))))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response started = post(
                "/api/v1/workflows/" + created.json().get("id").asString() + "/runs", token, Map.of("input", Map.of()));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String runId = started.json().get("runId").asString();
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(get("/api/v1/runs/" + runId, token)
                                .json()
                                .get("status")
                                .asString())
                        .isEqualTo("succeeded"));

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(owner.eventsOf(user).stream()
                                .filter(e -> e.get("kind").asString().equals("workflow_step"))
                                .count())
                        .isEqualTo(2));
    }
}
