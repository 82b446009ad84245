package ai.agency.orchestration.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.AuthStub;
import ai.agency.orchestration.OrchestrationApiTest;
import ai.agency.orchestration.SignedHooks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Owners delete their workflows (with runs, active ones cancelled first, steps, events, schedules and webhooks, whose
 * API keys are revoked) and their finished runs; nobody else can, and an active run must be cancelled first.
 */
class WorkflowDeleteTest extends OrchestrationApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    private JdbcClient jdbc;

    /** A workflow whose runs wait for an approval after their first step. */
    private String waitingWorkflow(String token) {
        Response created = post(
                "/api/v1/workflows",
                token,
                Map.of(
                        "name",
                        "gated",
                        "steps",
                        List.of(
                                Map.of("id", "echo", "type", "transform", "input", Map.of("n", "{{input.n}}")),
                                Map.of(
                                        "id",
                                        "ok",
                                        "type",
                                        "approval",
                                        "input",
                                        Map.of(),
                                        "dependsOn",
                                        List.of("echo")))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private String start(String token, String workflowId) {
        Response started = post("/api/v1/workflows/" + workflowId + "/runs", token, Map.of("input", Map.of("n", 1)));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        return started.json().get("runId").asString();
    }

    private void awaitStatus(String token, String runId, String status) {
        await().atMost(WAIT)
                .until(() -> get("/api/v1/runs/" + runId, token)
                        .json()
                        .get("status")
                        .asString()
                        .equals(status));
    }

    private long rows(String sql, String id) {
        return jdbc.sql(sql).param("id", UUID.fromString(id)).query(Long.class).single();
    }

    @Test
    void theOwnerDeletesAWorkflowWithItsRunsSchedulesAndWebhooks() {
        UUID owner = UUID.randomUUID();
        String token = jwts.user(owner);
        String workflowId = waitingWorkflow(token);
        String runId = start(token, workflowId);
        awaitStatus(token, runId, "waiting_approval");
        Response schedule = post(
                "/api/v1/workflows/" + workflowId + "/schedules",
                token,
                Map.of("cron", "* * * * * *", "missedPolicy", "skip"));
        assertThat(schedule.status()).as(schedule.body()).isEqualTo(201);
        String scheduleId = schedule.json().get("id").asString();
        JsonNode webhook = post("/api/v1/workflows/" + workflowId + "/webhooks", token, null)
                .json();
        String webhookId = webhook.get("id").asString();
        assertThat(SignedHooks.deliver(port, webhookId, webhook.get("secret").asString(), "{\"n\":2}", "d1")
                        .statusCode())
                .isEqualTo(202);
        await().atMost(WAIT).until(() -> rows("SELECT count(*) FROM runs WHERE workflow_id = :id", workflowId) >= 3);
        UUID scheduleKey = AuthStub.named("workflow-schedule " + scheduleId).id();
        UUID webhookKey = AuthStub.named("workflow-webhook " + webhookId).id();
        UUID runKey = AuthStub.named("workflow-run " + runId).id();

        String stranger = jwts.user(UUID.randomUUID());
        assertProblem(send("DELETE", "/api/v1/workflows/" + workflowId, stranger, null), 404, "not_found");
        assertProblem(
                send("DELETE", "/api/v1/workflows/" + workflowId, jwts.admin(UUID.randomUUID()), null),
                404,
                "not_found");
        assertProblem(
                send("DELETE", "/api/v1/workflows/" + workflowId, jwts.viewer(owner), null), 403, "authorization");
        assertProblem(send("DELETE", "/api/v1/workflows/" + UUID.randomUUID(), token, null), 404, "not_found");
        assertThat(get("/api/v1/workflows/" + workflowId, token).status()).isEqualTo(200);

        assertThat(send("DELETE", "/api/v1/workflows/" + workflowId, token, null)
                        .status())
                .isEqualTo(204);
        assertProblem(get("/api/v1/workflows/" + workflowId, token), 404, "not_found");
        assertProblem(get("/api/v1/runs/" + runId, token), 404, "not_found");
        assertThat(rows("SELECT count(*) FROM runs WHERE workflow_id = :id", workflowId))
                .isZero();
        assertThat(rows("SELECT count(*) FROM run_steps WHERE run_id = :id", runId))
                .isZero();
        assertThat(rows("SELECT count(*) FROM run_events WHERE run_id = :id", runId))
                .isZero();
        assertThat(rows("SELECT count(*) FROM workflow_schedules WHERE workflow_id = :id", workflowId))
                .isZero();
        assertThat(rows("SELECT count(*) FROM workflow_webhooks WHERE workflow_id = :id", workflowId))
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_instance = :id")
                        .param("id", scheduleId)
                        .query(Long.class)
                        .single())
                .as("the schedule's next tick")
                .isZero();
        assertThat(get("/api/v1/schedules", token).json().get("items")).isEmpty();
        assertThat(SignedHooks.deliver(port, webhookId, webhook.get("secret").asString(), "{}", "d2")
                        .statusCode())
                .as("the deleted webhook's URL")
                .isEqualTo(401);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(AuthStub.REVOKED).contains(scheduleKey, webhookKey, runKey));
        // the schedule fired every second: it fires no more
        await().pollDelay(Duration.ofMillis(2500))
                .atMost(WAIT)
                .untilAsserted(() -> assertThat(rows("SELECT count(*) FROM runs WHERE workflow_id = :id", workflowId))
                        .isZero());
        assertProblem(send("DELETE", "/api/v1/workflows/" + workflowId, token, null), 404, "not_found");
    }

    @Test
    void theOwnerDeletesAFinishedRunAndMustCancelAnActiveOneFirst() {
        UUID owner = UUID.randomUUID();
        String token = jwts.user(owner);
        String workflowId = waitingWorkflow(token);
        String waiting = start(token, workflowId);
        awaitStatus(token, waiting, "waiting_approval");
        String other = start(token, workflowId);

        JsonNode conflict = assertProblem(send("DELETE", "/api/v1/runs/" + waiting, token, null), 409, "conflict");
        assertThat(conflict.get("detail").asString()).contains("cancel it first");
        String stranger = jwts.user(UUID.randomUUID());
        assertProblem(send("DELETE", "/api/v1/runs/" + waiting, stranger, null), 404, "not_found");
        assertProblem(send("DELETE", "/api/v1/runs/" + waiting, jwts.viewer(owner), null), 403, "authorization");
        assertProblem(send("DELETE", "/api/v1/runs/" + UUID.randomUUID(), token, null), 404, "not_found");

        assertThat(post("/api/v1/runs/" + waiting + "/cancel", token, null).status())
                .isEqualTo(200);
        assertProblem(send("DELETE", "/api/v1/runs/" + waiting, stranger, null), 404, "not_found");
        assertThat(send("DELETE", "/api/v1/runs/" + waiting, token, null).status())
                .isEqualTo(204);
        assertProblem(get("/api/v1/runs/" + waiting, token), 404, "not_found");
        assertThat(rows("SELECT count(*) FROM run_steps WHERE run_id = :id", waiting))
                .isZero();
        assertThat(rows("SELECT count(*) FROM run_events WHERE run_id = :id", waiting))
                .isZero();
        assertProblem(send("DELETE", "/api/v1/runs/" + waiting, token, null), 404, "not_found");

        assertThat(get("/api/v1/runs/" + other, token).status())
                .as("the other run stays")
                .isEqualTo(200);
        assertThat(get("/api/v1/workflows/" + workflowId + "/runs", token)
                        .json()
                        .get("items"))
                .hasSize(1);
        assertThat(get("/api/v1/workflows/" + workflowId, token).status()).isEqualTo(200);
    }
}
