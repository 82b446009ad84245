package ai.agency.orchestration.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.AuthStub;
import ai.agency.orchestration.OrchestrationApiTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A run outlives the access token of the user who started it: a tool step executed after that token expired (the
 * tool-service stub answers 401 to expired tokens, as the real one does) still acts as the user, through the run's
 * API key; without a key it fails with a clear {@code authentication} error.
 */
class RunCredentialsTest extends OrchestrationApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** An approval gate, then a calculator call: the gate holds the run until the starter's token has expired. */
    private String gatedCalculation(String token) {
        Response created = post(
                "/api/v1/workflows",
                token,
                Map.of(
                        "name",
                        "slow approval",
                        "steps",
                        List.of(
                                Map.of("id", "gate", "type", "approval"),
                                Map.of(
                                        "id",
                                        "calc",
                                        "type",
                                        "tool",
                                        "dependsOn",
                                        List.of("gate"),
                                        "input",
                                        Map.of("tool", "calculator", "parameters", Map.of("expression", "6 * 7"))))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private JsonNode awaitStatus(String token, String runId, String status) {
        JsonNode[] run = {null};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            Response response = get("/api/v1/runs/" + runId, token);
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            run[0] = response.json();
            assertThat(run[0].get("status").asString()).as(response.body()).isEqualTo(status);
        });
        return run[0];
    }

    /** Starts the run with a token that lives a few seconds, and waits at the gate until it has expired. */
    private String startAndOutliveTheToken(UUID userId, String workflowId) {
        Duration lifetime = Duration.ofSeconds(4);
        String shortLived = jwts.token(userId, List.of("user"), lifetime);
        Instant expires = Instant.now().plus(lifetime);
        Response started = post("/api/v1/workflows/" + workflowId + "/runs", shortLived, Map.of("input", Map.of()));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String runId = started.json().get("runId").asString();
        String fresh = jwts.user(userId);
        awaitStatus(fresh, runId, "waiting_approval");
        await().atMost(WAIT).until(() -> Instant.now().isAfter(expires.plusSeconds(1)));
        Response approved = post("/api/v1/runs/" + runId + "/steps/gate/approval", fresh, Map.of("approved", true));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        return runId;
    }

    @Test
    void aStepAfterTheStartersTokenExpiredActsThroughTheRunsApiKeyWhichIsRevokedAtTheEnd() {
        UUID userId = UUID.randomUUID();
        String workflowId = gatedCalculation(jwts.user(userId));

        String runId = startAndOutliveTheToken(userId, workflowId);

        JsonNode run = awaitStatus(jwts.user(userId), runId, "succeeded");
        JsonNode calc = run.get("steps").get(1);
        assertThat(calc.get("output").get("result").asDouble()).isEqualTo(42.0);
        AuthStub.Key key = AuthStub.named("workflow-run " + runId);
        assertThat(key).as("the run's API key").isNotNull();
        assertThat(key.userId()).isEqualTo(userId);
        assertThat(key.scopes()).containsExactlyInAnyOrder("read", "write");
        assertThat(AuthStub.EXCHANGES.getOrDefault(key.id(), 0)).isGreaterThanOrEqualTo(1);
        await().atMost(WAIT).until(() -> AuthStub.REVOKED.contains(key.id()));
    }

    @Test
    void withoutAnApiKeyAStepAfterTheTokenExpiredFailsAsAuthentication() {
        UUID userId = UUID.randomUUID();
        String workflowId = gatedCalculation(jwts.user(userId));
        String runId;
        AuthStub.DOWN.set(true);
        try {
            runId = startAndOutliveTheToken(userId, workflowId);
        } finally {
            AuthStub.DOWN.set(false);
        }

        JsonNode run = awaitStatus(jwts.user(userId), runId, "failed");
        assertThat(AuthStub.named("workflow-run " + runId)).isNull();
        JsonNode error = run.get("error");
        assertThat(error.get("stepId").asString()).isEqualTo("calc");
        assertThat(error.get("errorType").asString()).isEqualTo("authentication");
        assertThat(error.get("message").asString()).contains("expired").contains("no service credential");
        assertThat(run.get("steps").get(1).get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aRevokedApiKeyFailsTheStepAsAuthentication() {
        UUID userId = UUID.randomUUID();
        String workflowId = gatedCalculation(jwts.user(userId));
        Duration lifetime = Duration.ofSeconds(4);
        String shortLived = jwts.token(userId, List.of("user"), lifetime);
        Instant expires = Instant.now().plus(lifetime);
        Response started = post("/api/v1/workflows/" + workflowId + "/runs", shortLived, Map.of("input", Map.of()));
        String runId = started.json().get("runId").asString();
        String fresh = jwts.user(userId);
        awaitStatus(fresh, runId, "waiting_approval");
        AuthStub.Key key = AuthStub.named("workflow-run " + runId);
        assertThat(key).isNotNull();
        AuthStub.REVOKED.add(key.id()); // the user revoked it in auth-service
        await().atMost(WAIT).until(() -> Instant.now().isAfter(expires.plusSeconds(1)));
        post("/api/v1/runs/" + runId + "/steps/gate/approval", fresh, Map.of("approved", true));

        JsonNode run = awaitStatus(fresh, runId, "failed");
        assertThat(run.get("error").get("errorType").asString()).isEqualTo("authentication");
        assertThat(run.get("error").get("message").asString()).contains("refused the run's service credential");
    }
}
