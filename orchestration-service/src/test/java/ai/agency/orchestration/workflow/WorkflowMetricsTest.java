package ai.agency.orchestration.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The workflow metrics as Prometheus scrapes them from {@code /actuator/prometheus}. */
class WorkflowMetricsTest extends OrchestrationApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private String run(String token, List<Map<String, Object>> steps) {
        Response created = post("/api/v1/workflows", token, Map.of("name", "metrics", "steps", steps));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response started = post(
                "/api/v1/workflows/" + created.json().get("id").asString() + "/runs", token, Map.of("input", Map.of()));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        return started.json().get("runId").asString();
    }

    private void awaitStatus(String token, String runId, String status) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> get("/api/v1/runs/" + runId, token)
                        .json()
                        .get("status")
                        .asString()
                        .equals(status));
    }

    private static Map<String, Object> step(String id, String type, Object input, Object... more) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", id);
        step.put("type", type);
        step.put("input", input);
        for (int i = 0; i < more.length; i += 2) {
            step.put((String) more[i], more[i + 1]);
        }
        return step;
    }

    @Test
    void runsByFinalStatusStepDurationsByTypeApprovalsWaitingAndQueueDepth() {
        String user = newUser();
        double succeeded = value("agency_workflow_runs_total", "status=\"succeeded\"");
        double failed = value("agency_workflow_runs_total", "status=\"failed\"");
        double transforms = value("agency_workflow_step_seconds_count", "type=\"transform\"", "outcome=\"succeeded\"");
        double failedTools = value("agency_workflow_step_seconds_count", "type=\"tool\"", "outcome=\"failed\"");

        awaitStatus(user, run(user, List.of(step("a", "transform", "x"), step("b", "transform", "y"))), "succeeded");
        awaitStatus(
                user,
                run(
                        user,
                        List.of(step(
                                "bad",
                                "tool",
                                Map.of(
                                        "tool",
                                        "flaky",
                                        "parameters",
                                        Map.of(
                                                "key",
                                                UUID.randomUUID().toString(),
                                                "failures",
                                                1,
                                                "errorType",
                                                "validation"))))),
                "failed");

        assertThat(value("agency_workflow_runs_total", "status=\"succeeded\"")).isEqualTo(succeeded + 1);
        assertThat(value("agency_workflow_runs_total", "status=\"failed\"")).isEqualTo(failed + 1);
        assertThat(value("agency_workflow_step_seconds_count", "type=\"transform\"", "outcome=\"succeeded\""))
                .isEqualTo(transforms + 2);
        assertThat(value("agency_workflow_step_seconds_count", "type=\"tool\"", "outcome=\"failed\""))
                .isEqualTo(failedTools + 1);

        // approvals waiting: up while a run waits, down once it is approved
        double waitingBefore = value("agency_workflow_approvals_waiting");
        String gated = run(user, List.of(step("gate", "approval", null)));
        awaitStatus(user, gated, "waiting_approval");
        await().atMost(WAIT).until(() -> value("agency_workflow_approvals_waiting") == waitingBefore + 1);
        post("/api/v1/runs/" + gated + "/steps/gate/approval", user, Map.of("approved", true));
        awaitStatus(user, gated, "succeeded");
        await().atMost(WAIT).until(() -> value("agency_workflow_approvals_waiting") == waitingBefore);

        // queue depth: 10 parallel steps, 8 may execute at once per run; the 8 wait at a gate, 2 are queued
        String key = UUID.randomUUID().toString();
        List<Map<String, Object>> wide = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            wide.add(step("g" + i, "tool", Map.of("tool", "gate", "parameters", Map.of("key", key, "parties", 9))));
        }
        String fan = run(user, wide);
        await().atMost(WAIT).until(() -> calls(key) == 8);
        await().atMost(WAIT).until(() -> value("agency_workflow_queue_depth") >= 2);
        CountDownLatch gate = GATES.get(key);
        gate.countDown(); // the ninth party: all gates open
        awaitStatus(user, fan, "succeeded");
        assertThat(calls(key)).isEqualTo(10);
    }

    /** The sum of the samples of {@code name} whose labels include all {@code labels}. */
    private double value(String name, String... labels) {
        double sum = 0;
        Matcher m =
                Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(prometheus());
        while (m.find()) {
            String found = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= found.contains(label);
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private String prometheus() {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://localhost:" + port + "/actuator/prometheus"))
                                    .header("Accept", "text/plain")
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
