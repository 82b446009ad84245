package ai.agency.orchestration.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.agency.common.retention.RetentionPurge;
import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.common.testsupport.UsageOwnerStub;
import ai.agency.orchestration.OrchestrationApiTest;
import ai.agency.orchestration.OrchestrationServiceApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class WorkflowApiTest extends OrchestrationApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    private Environment environment;

    @Autowired
    private RunEngine engine;

    @Autowired
    private JdbcClient jdbc;

    private static Map<String, Object> step(String id, String type, Object input, Object... more) {
        Map<String, Object> step = new java.util.LinkedHashMap<>();
        step.put("id", id);
        step.put("type", type);
        step.put("input", input);
        for (int i = 0; i < more.length; i += 2) {
            step.put((String) more[i], more[i + 1]);
        }
        return step;
    }

    private static Map<String, Object> tool(String name, Map<String, Object> parameters) {
        return Map.of("tool", name, "parameters", parameters);
    }

    private String workflow(String token, List<Map<String, Object>> steps) {
        Response created = post("/api/v1/workflows", token, Map.of("name", "wf", "steps", steps));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private String start(String token, String workflowId, Object input) {
        Response started = post("/api/v1/workflows/" + workflowId + "/runs", token, Map.of("input", input));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(started.json().get("status").asString()).isEqualTo("queued");
        return started.json().get("runId").asString();
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

    private static JsonNode step(JsonNode run, String id) {
        for (JsonNode step : run.get("steps")) {
            if (step.get("id").asString().equals(id)) {
                return step;
            }
        }
        throw new AssertionError("no step " + id + " in " + run);
    }

    private static String key() {
        return UUID.randomUUID().toString();
    }

    @Test
    void invalidDefinitionsAreRefusedNamingTheStep() {
        String user = newUser();
        Object[][] cases = {
            {
                List.of(
                        step("a", "transform", "x", "dependsOn", List.of("b")),
                        step("b", "transform", "y", "dependsOn", List.of("a"))),
                "steps[0].dependsOn",
                "cycle"
            },
            {List.of(step("a", "transform", "x", "dependsOn", List.of("nope"))), "steps[0].dependsOn", "'nope'"},
            {List.of(step("a", "tool", tool("no_such_tool", Map.of()))), "steps[0].input.tool", "no_such_tool"},
            {List.of(step("a", "agent", "hi", "agentId", UUID.randomUUID().toString())), "steps[0].agentId", "'a'"},
            {
                List.of(step("a", "transform", "x"), step("b", "transform", "{{steps.a.output}}")),
                "steps[1].input",
                "does not depend"
            },
            {List.of(step("a", "transform", "{{ bad path }}")), "steps[0].input", "bad template"},
            {
                List.of(
                        step("a", "transform", "x"),
                        step("b", "transform", "y", "dependsOn", List.of("a"), "condition", "steps.a.output >")),
                "steps[1].condition",
                "'b'"
            },
            {List.of(step("a", "loop", "x")), "steps[0].type", "'a'"},
        };
        for (Object[] c : cases) {
            Response response = post("/api/v1/workflows", user, Map.of("name", "bad", "steps", c[0]));
            JsonNode problem = assertProblem(response, 400, "validation");
            assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo(c[1]);
            assertThat(problem.get("errors").get(0).get("message").asString()).contains((String) c[2]);
        }
    }

    @Test
    void independentBranchesRunInParallelAndTemplatesKeepTypes() {
        String user = newUser();
        String gate = key();
        String id = workflow(
                user,
                List.of(
                        step("left", "tool", tool("gate", Map.of("key", gate, "parties", 2))),
                        step("right", "tool", tool("gate", Map.of("key", gate, "parties", 2))),
                        step(
                                "join",
                                "transform",
                                Map.of(
                                        "both",
                                        List.of(
                                                "{{steps.left.output.overlapped}}",
                                                "{{steps.right.output.overlapped}}"),
                                        "text",
                                        "topic {{input.topic}} n={{input.n}}"),
                                "dependsOn",
                                List.of("left", "right"))));
        assertThat(get("/api/v1/workflows/" + id, user).json().get("steps").size())
                .isEqualTo(3);
        String runId = start(user, id, Map.of("topic", "rivers", "n", 3));
        JsonNode run = awaitStatus(user, runId, "succeeded");
        assertThat(run.get("progress").asDouble()).isEqualTo(1.0);
        JsonNode join = step(run, "join").get("output");
        assertThat(join.get("both").get(0).isBoolean()).isTrue();
        assertThat(join.get("both").toString()).isEqualTo("[true,true]");
        assertThat(join.get("text").asString()).isEqualTo("topic rivers n=3");
        assertThat(run.get("output").get("join")).isEqualTo(join);
    }

    @Test
    void aFalseConditionSkipsTheBranchAndItsDependants() {
        String user = newUser();
        String id = workflow(
                user,
                List.of(
                        step("review", "transform", Map.of("score", "{{input.score}}")),
                        step(
                                "fix",
                                "transform",
                                "fixing",
                                "dependsOn",
                                List.of("review"),
                                "condition",
                                "steps.review.output.score < 80"),
                        step(
                                "publish",
                                "transform",
                                "publishing",
                                "dependsOn",
                                List.of("review"),
                                "condition",
                                "steps.review.output.score >= 80"),
                        step("announce", "transform", "{{steps.publish.output}}", "dependsOn", List.of("publish"))));
        JsonNode run = awaitStatus(user, start(user, id, Map.of("score", 55)), "succeeded");
        assertThat(step(run, "fix").get("status").asString()).isEqualTo("succeeded");
        assertThat(step(run, "publish").get("status").asString()).isEqualTo("skipped");
        assertThat(step(run, "announce").get("status").asString()).isEqualTo("skipped");
    }

    @Test
    void aRecoverableFailureIsRetriedUntilItSucceeds() {
        String user = newUser();
        String flaky = key();
        String id = workflow(
                user,
                List.of(step(
                        "call",
                        "tool",
                        tool("flaky", Map.of("key", flaky, "failures", 2)),
                        "retry",
                        Map.of("maxAttempts", 3, "backoffMs", 10))));
        JsonNode run = awaitStatus(user, start(user, id, Map.of()), "succeeded");
        assertThat(step(run, "call").get("attempts").asInt()).isEqualTo(3);
        assertThat(step(run, "call").get("output").get("call").asInt()).isEqualTo(3);
    }

    @Test
    void aNonRecoverableFailureFailsAtOnce() {
        String user = newUser();
        String flaky = key();
        String id = workflow(
                user,
                List.of(
                        step(
                                "call",
                                "tool",
                                tool("flaky", Map.of("key", flaky, "failures", 5, "errorType", "validation")),
                                "retry",
                                Map.of("maxAttempts", 3, "backoffMs", 10)),
                        step("after", "transform", "x", "dependsOn", List.of("call"))));
        JsonNode run = awaitStatus(user, start(user, id, Map.of()), "failed");
        assertThat(step(run, "call").get("attempts").asInt()).isEqualTo(1);
        assertThat(step(run, "after").get("status").asString()).isEqualTo("cancelled");
        assertThat(run.get("error").get("errorType").asString()).isEqualTo("validation");
        assertThat(run.get("error").get("stepId").asString()).isEqualTo("call");
        assertThat(calls(flaky)).isEqualTo(1);
    }

    @Test
    void aStepThatTakesTooLongTimesOut() {
        String user = newUser();
        String id = workflow(
                user,
                List.of(step("wait", "tool", tool("gate", Map.of("key", key(), "parties", 2)), "timeoutMs", 300)));
        JsonNode run = awaitStatus(user, start(user, id, Map.of()), "failed");
        assertThat(step(run, "wait").get("error").get("timedOut").asBoolean()).isTrue();
        assertThat(run.get("error").get("message").asString()).contains("timed out");
    }

    @Autowired
    private RetentionPurge retention;

    @Test
    void runEventsOfFinishedRunsArePurgedAfterTheirRetentionAndAWaitingRunKeepsItsOwn() {
        String user = newUser();
        String done = start(user, workflow(user, List.of(step("only", "transform", "done"))), Map.of());
        awaitStatus(user, done, "succeeded");
        String waiting = start(
                user,
                workflow(
                        user,
                        List.of(
                                step("draft", "transform", "a draft"),
                                step("review", "approval", null, "dependsOn", List.of("draft")))),
                Map.of());
        awaitStatus(user, waiting, "waiting_approval");
        jdbc.sql("UPDATE run_events SET created_at = now() - interval '91 days' WHERE run_id IN (:a, :b)")
                .param("a", UUID.fromString(done))
                .param("b", UUID.fromString(waiting))
                .update();

        retention.purge();

        assertThat(events(done)).isZero();
        assertThat(events(waiting)).isPositive();
        assertThat(get("/api/v1/runs/" + done, user).json().get("status").asString())
                .isEqualTo("succeeded");
    }

    private long events(String runId) {
        return jdbc.sql("SELECT count(*) FROM run_events WHERE run_id = :r")
                .param("r", UUID.fromString(runId))
                .query(Long.class)
                .single();
    }

    @Test
    void anApprovalGateWaitsThenContinues() {
        String user = newUser();
        String id = workflow(
                user,
                List.of(
                        step("draft", "transform", "a draft"),
                        step("review", "approval", null, "dependsOn", List.of("draft")),
                        step(
                                "publish",
                                "transform",
                                "{{steps.review.output.comment}}",
                                "dependsOn",
                                List.of("review"))));
        String runId = start(user, id, Map.of());
        JsonNode waiting = awaitStatus(user, runId, "waiting_approval");
        assertThat(step(waiting, "review").get("status").asString()).isEqualTo("waiting_approval");
        assertProblem(
                post("/api/v1/runs/" + runId + "/steps/publish/approval", user, Map.of("approved", true)),
                409,
                "conflict");
        Response approved = post(
                "/api/v1/runs/" + runId + "/steps/review/approval",
                user,
                Map.of("approved", true, "comment", "ship it"));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        JsonNode run = awaitStatus(user, runId, "succeeded");
        assertThat(step(run, "publish").get("output").asString()).isEqualTo("ship it");
    }

    @Test
    void aRejectedApprovalFailsTheRunWithTheComment() {
        String user = newUser();
        String id = workflow(
                user,
                List.of(
                        step("send", "transform", "mail", "approval", true),
                        step("after", "transform", "x", "dependsOn", List.of("send"))));
        String runId = start(user, id, Map.of());
        awaitStatus(user, runId, "waiting_approval");
        post("/api/v1/runs/" + runId + "/steps/send/approval", user, Map.of("approved", false, "comment", "not now"));
        JsonNode run = awaitStatus(user, runId, "failed");
        assertThat(run.get("error").get("message").asString()).isEqualTo("not now");
        assertThat(step(run, "send").get("status").asString()).isEqualTo("failed");
        assertThat(step(run, "after").get("status").asString()).isEqualTo("cancelled");
    }

    @Test
    void cancelStopsRunningAndPendingSteps() {
        String user = newUser();
        String gate = key();
        String id = workflow(
                user,
                List.of(
                        step("hang", "tool", tool("gate", Map.of("key", gate, "parties", 2))),
                        step("after", "transform", "x", "dependsOn", List.of("hang"))));
        String runId = start(user, id, Map.of());
        await().atMost(WAIT).until(() -> calls(gate) == 1);
        Response cancelled = post("/api/v1/runs/" + runId + "/cancel", user, null);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json().get("status").asString()).isEqualTo("cancelled");
        assertThat(step(cancelled.json(), "hang").get("status").asString()).isEqualTo("cancelled");
        assertThat(step(cancelled.json(), "after").get("status").asString()).isEqualTo("cancelled");
        GATES.get(gate).countDown();
        List<Event> events = events(runId, user, null);
        assertThat(events.getLast().name()).isEqualTo("run.cancelled");
    }

    @Test
    void runEventsAreReplayedFromLastEventId() {
        String user = newUser();
        String id = workflow(
                user,
                List.of(
                        step("one", "transform", "1"),
                        step("two", "transform", "{{steps.one.output}}", "dependsOn", List.of("one"))));
        String runId = start(user, id, Map.of());
        List<Event> all = events(runId, user, null); // follows the run until it ends
        assertThat(all.stream().map(Event::name).toList())
                .containsExactly(
                        "run.started",
                        "step.started",
                        "step.succeeded",
                        "step.started",
                        "step.succeeded",
                        "run.succeeded");
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).id()).isEqualTo(i + 1);
        }
        List<Event> rest = events(runId, user, "3");
        assertThat(rest.getFirst().id()).isEqualTo(4);
        assertThat(rest).hasSize(all.size() - 3);
        assertThat(rest.getLast().data().get("output").get("two").asString()).isEqualTo("1");
    }

    @Test
    void anotherUsersWorkflowsAndRunsDoNotExist() {
        String owner = newUser();
        String id = workflow(owner, List.of(step("one", "transform", "1")));
        String runId = start(owner, id, Map.of());
        awaitStatus(owner, runId, "succeeded");
        String stranger = newUser();
        assertProblem(get("/api/v1/workflows/" + id, stranger), 404, "not_found");
        assertProblem(post("/api/v1/workflows/" + id + "/runs", stranger, Map.of("input", Map.of())), 404, "not_found");
        assertProblem(get("/api/v1/runs/" + runId, stranger), 404, "not_found");
        assertProblem(post("/api/v1/runs/" + runId + "/cancel", stranger, null), 404, "not_found");
        assertProblem(get("/api/v1/runs/" + runId + "/events", stranger), 404, "not_found");
        assertThat(get("/api/v1/workflows", stranger).json().get("items").size())
                .isZero();
        assertThat(get("/api/v1/runs/" + runId, jwts.admin(UUID.randomUUID())).status())
                .isEqualTo(200);
    }

    @Test
    void anAdminCannotStartARunOfAnotherUsersWorkflow() {
        // the attack: a run belongs to the workflow's owner, so a run an admin started on it would show the admin's
        // input and results (read with the admin's rights) to that owner
        String owner = newUser();
        String id = workflow(owner, List.of(step("one", "transform", "{{input.secret}}")));
        String admin = jwts.admin(UUID.randomUUID());
        assertThat(get("/api/v1/workflows/" + id, admin).status()).isEqualTo(200);
        JsonNode problem = assertProblem(
                post("/api/v1/workflows/" + id + "/runs", admin, Map.of("input", Map.of("secret", "admin's"))),
                403,
                "authorization");
        assertThat(problem.get("detail").asString()).contains("owner");
        assertThat(get("/api/v1/runs?workflowId=" + id, owner)
                        .json()
                        .get("items")
                        .size())
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM runs WHERE workflow_id = :id")
                        .param("id", UUID.fromString(id))
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void anAdminMayReadAndCancelAnotherUsersRun() {
        String owner = newUser();
        String gate = key();
        String id = workflow(
                owner,
                List.of(
                        step("hang", "tool", tool("gate", Map.of("key", gate, "parties", 2))),
                        step("after", "transform", "x", "dependsOn", List.of("hang"))));
        String runId = start(owner, id, Map.of("topic", "mine"));
        await().atMost(WAIT).until(() -> calls(gate) == 1);
        String admin = jwts.admin(UUID.randomUUID());
        Response read = get("/api/v1/runs/" + runId, admin);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.json().get("input").get("topic").asString()).isEqualTo("mine");
        Response cancelled = post("/api/v1/runs/" + runId + "/cancel", admin, null);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json().get("status").asString()).isEqualTo("cancelled");
        GATES.get(gate).countDown();
        assertThat(awaitStatus(owner, runId, "cancelled").get("status").asString())
                .isEqualTo("cancelled");
    }

    @Test
    void runsAreListedNewestFirstScopedToTheCallerFilteredAndPaged() {
        String owner = newUser();
        String wfA = workflow(owner, List.of(step("one", "transform", "a")));
        String wfB = workflow(owner, List.of(step("gate", "approval", null)));
        String a1 = start(owner, wfA, Map.of());
        awaitStatus(owner, a1, "succeeded");
        String b1 = start(owner, wfB, Map.of());
        awaitStatus(owner, b1, "waiting_approval");
        String a2 = start(owner, wfA, Map.of());
        awaitStatus(owner, a2, "succeeded");
        String stranger = newUser();
        String strangers = start(stranger, workflow(stranger, List.of(step("one", "transform", "x"))), Map.of());

        JsonNode all = get("/api/v1/runs", owner).json();
        assertThat(ids(all)).containsExactly(a2, b1, a1);
        assertThat(all.get("nextCursor").isNull()).isTrue();
        JsonNode newest = all.get("items").get(0);
        assertThat(newest.get("workflowId").asString()).isEqualTo(wfA);
        assertThat(newest.get("status").asString()).isEqualTo("succeeded");
        assertThat(newest.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(newest.has("completedAt")).isTrue();
        assertThat(all.get("items").get(1).get("progress").asDouble()).isEqualTo(0.0);

        assertThat(ids(get("/api/v1/runs?workflowId=" + wfA, owner).json())).containsExactly(a2, a1);
        assertThat(ids(get("/api/v1/workflows/" + wfA + "/runs", owner).json())).containsExactly(a2, a1);
        assertThat(ids(get("/api/v1/runs?status=waiting_approval", owner).json()))
                .containsExactly(b1);
        assertThat(ids(get("/api/v1/workflows/" + wfA + "/runs?status=waiting_approval", owner)
                        .json()))
                .isEmpty();

        JsonNode first = get("/api/v1/runs?limit=2", owner).json();
        assertThat(ids(first)).containsExactly(a2, b1);
        JsonNode second = get(
                        "/api/v1/runs?limit=2&cursor=" + first.get("nextCursor").asString(), owner)
                .json();
        assertThat(ids(second)).containsExactly(a1);
        assertThat(second.get("nextCursor").isNull()).isTrue();

        // isolation: the stranger sees only their run, and not the owner's workflow; an admin sees both users' runs
        assertThat(ids(get("/api/v1/runs", stranger).json())).containsExactly(strangers);
        assertProblem(get("/api/v1/workflows/" + wfA + "/runs", stranger), 404, "not_found");
        assertProblem(get("/api/v1/runs?workflowId=" + wfA, stranger), 404, "not_found");
        assertThat(ids(get("/api/v1/runs?workflowId=" + wfA, jwts.admin(UUID.randomUUID()))
                        .json()))
                .containsExactly(a2, a1);
        assertThat(ids(get("/api/v1/runs?limit=100", jwts.admin(UUID.randomUUID()))
                        .json()))
                .contains(a1, b1, a2, strangers);

        // bad filters are problems naming the parameter
        assertThat(assertProblem(get("/api/v1/runs?status=done", owner), 400, "validation")
                        .get("errors")
                        .get(0)
                        .get("field")
                        .asString())
                .isEqualTo("status");
        assertProblem(get("/api/v1/runs?workflowId=not-a-uuid", owner), 400, "validation");
        assertProblem(get("/api/v1/runs?limit=0", owner), 400, "validation");
        assertProblem(get("/api/v1/runs?limit=101", owner), 400, "validation");
        assertProblem(get("/api/v1/runs?cursor=bogus!", owner), 400, "validation");
        assertProblem(get("/api/v1/runs", null), 401, "authentication");
        post("/api/v1/runs/" + b1 + "/cancel", owner, null);
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }

    @Test
    void anAgentStepRunsOneChatTurn() {
        String user = newUser();
        String id = workflow(
                user,
                List.of(step(
                        "ask",
                        "agent",
                        "What is {{input.a}} * {{input.b}}?",
                        "agentId",
                        "00000000-0000-0000-0000-000000000001")));
        JsonNode run = awaitStatus(user, start(user, id, Map.of("a", 17, "b", 23)), "succeeded");
        assertThat(step(run, "ask").get("output").asString()).contains("391");
    }

    @Test
    void aRunResumesAfterARestartWithCompletedStepsExecutedOnce() {
        String first = key();
        String gate = key();
        String last = key();
        String user = newUser();
        ConfigurableApplicationContext other = otherInstance();
        String runId;
        try {
            int otherPort = Integer.parseInt(other.getEnvironment().getProperty("local.server.port"));
            int mine = port;
            port = otherPort;
            try {
                String id = workflow(
                        user,
                        List.of(
                                step("first", "tool", tool("flaky", Map.of("key", first))),
                                step(
                                        "middle",
                                        "tool",
                                        tool("gate", Map.of("key", gate, "parties", 2)),
                                        "dependsOn",
                                        List.of("first")),
                                step(
                                        "last",
                                        "tool",
                                        tool("flaky", Map.of("key", last)),
                                        "dependsOn",
                                        List.of("middle"))));
                runId = start(user, id, Map.of());
                await().atMost(WAIT).until(() -> calls(gate) == 1);
            } finally {
                port = mine;
            }
        } finally {
            other.close();
        }
        JsonNode stopped = get("/api/v1/runs/" + runId, user).json();
        assertThat(stopped.get("status").asString()).isEqualTo("running");
        assertThat(step(stopped, "first").get("status").asString()).isEqualTo("succeeded");
        assertThat(step(stopped, "middle").get("status").asString()).isEqualTo("running");

        engine.recover();
        JsonNode run = awaitStatus(user, runId, "succeeded");
        assertThat(calls(first)).isEqualTo(1);
        assertThat(calls(gate)).isEqualTo(2);
        assertThat(calls(last)).isEqualTo(1);
        // the cut-off attempt ran again under its number: a crash is not a failure of the step
        assertThat(step(run, "middle").get("attempts").asInt()).isEqualTo(1);
        assertThat(step(run, "first").get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aStepCutOffMidFlightRunsAgainUnderTheSameIdempotencyKey() {
        // before: no key at all, and the attempt number (the only candidate) went up on the re-run, 1 then 2
        String cut = key();
        String done = key();
        String user = newUser();
        String runId;
        try (ConfigurableApplicationContext other = otherInstance()) {
            int mine = port;
            port = Integer.parseInt(other.getEnvironment().getProperty("local.server.port"));
            try {
                runId = start(
                        user,
                        workflow(
                                user,
                                List.of(
                                        step("done", "tool", tool("flaky", Map.of("key", done))),
                                        step(
                                                "cut",
                                                "tool",
                                                tool("gate", Map.of("key", cut, "parties", 2)),
                                                "dependsOn",
                                                List.of("done")))),
                        Map.of());
                await().atMost(WAIT).until(() -> calls(cut) == 1);
            } finally {
                port = mine;
            }
        }
        engine.recover();
        awaitStatus(user, runId, "succeeded");

        String attempt1 = "run:" + runId + ":step:cut:attempt:1";
        assertThat(IDEMPOTENCY_KEYS.get(cut)).containsExactly(attempt1, attempt1);
        assertThat(IDEMPOTENCY_KEYS.get(done)).containsExactly("run:" + runId + ":step:done:attempt:1");
    }

    @Test
    void aRetryAfterARecordedFailureCarriesANewIdempotencyKey() {
        String flaky = key();
        String user = newUser();
        String id = workflow(
                user,
                List.of(step(
                        "retried",
                        "tool",
                        tool("flaky", Map.of("key", flaky, "failures", 1)),
                        "retry",
                        Map.of("maxAttempts", 2, "backoffMs", 0))));
        String runId = start(user, id, Map.of());
        awaitStatus(user, runId, "succeeded");

        // the first attempt's failure was recorded: the retry is a new request, which tool-service must run again
        assertThat(IDEMPOTENCY_KEYS.get(flaky))
                .containsExactly(
                        "run:" + runId + ":step:retried:attempt:1", "run:" + runId + ":step:retried:attempt:2");
    }

    @Test
    void aToolStepWhoseKeyIsStillInUseAsksAgainUntilTheFirstCallsResultIsThere() {
        String flaky = key();
        String user = newUser();
        String id = workflow(user, List.of(step("asked", "tool", tool("flaky", Map.of("key", flaky)))));
        KEY_IN_USE_ANSWERS.set(2);
        try {
            String runId = start(user, id, Map.of());
            JsonNode run = awaitStatus(user, runId, "succeeded");
            // two 409 idempotency_key_in_use answers, then the result: one attempt, one execution, one key
            assertThat(step(run, "asked").get("attempts").asInt()).isEqualTo(1);
            assertThat(calls(flaky)).isEqualTo(1);
            assertThat(IDEMPOTENCY_KEYS.get(flaky)).hasSize(3).containsOnly("run:" + runId + ":step:asked:attempt:1");
        } finally {
            KEY_IN_USE_ANSWERS.set(0);
        }
    }

    @Test
    void anOrchestrationServiceWithoutMasterKeyRefusesToStart() {
        // before: runs' API keys were sealed with the constant development key, which a database reader can undo
        assertThatThrownBy(() -> new SpringApplicationBuilder(OrchestrationServiceApplication.class)
                        .initializers(
                                context -> context.getBeanFactory().registerSingleton("testJwtDecoder", jwts.decoder()))
                        .run(
                                "--server.port=0",
                                "--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                                "--spring.datasource.username=" + environment.getProperty("spring.datasource.username"),
                                "--spring.datasource.password=" + environment.getProperty("spring.datasource.password"),
                                "--agency.usage.ingest-secret=" + UsageOwnerStub.SECRET,
                                "--AGENCY_MASTER_KEY=")
                        .close())
                .hasStackTraceContaining("AGENCY_MASTER_KEY is not set")
                .hasStackTraceContaining("a workflow run credential");
    }

    /** A second orchestration-service instance on the same database, as another replica or after a restart. */
    private ConfigurableApplicationContext otherInstance(String... settings) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                "--spring.datasource.username=" + environment.getProperty("spring.datasource.username"),
                "--spring.datasource.password=" + environment.getProperty("spring.datasource.password"),
                "--spring.datasource.hikari.maximum-pool-size=4",
                "--AGENCY_MASTER_KEY=" + MASTER_KEY, // the same key: it opens the runs' sealed API keys
                "--agency.usage.ingest-secret=" + UsageOwnerStub.SECRET,
                "--agency.clients.memory.base-url=" + stubUrl() + "/memory",
                "--agency.clients.tool.base-url=" + stubUrl() + "/tool",
                "--agency.clients.auth.base-url=" + stubUrl() + "/auth",
                "--agency.orchestration.tools-cache-ttl=0s",
                "--agency.orchestration.workflows.recovery-interval=1h"));
        args.addAll(List.of(settings));
        return new SpringApplicationBuilder(OrchestrationServiceApplication.class)
                .initializers(context -> context.getBeanFactory().registerSingleton("testJwtDecoder", jwts.decoder()))
                .run(args.toArray(String[]::new));
    }

    private static List<Map<String, Object>> transformChain(String prefix, int length, String first) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            String id = prefix + i;
            steps.add(
                    i == 0 && first == null
                            ? step(id, "transform", Map.of("n", 0))
                            : step(
                                    id,
                                    "transform",
                                    Map.of(
                                            "n",
                                            i,
                                            "previous",
                                            "{{steps." + (i == 0 ? first : prefix + (i - 1)) + ".output}}"),
                                    "dependsOn",
                                    List.of(i == 0 ? first : prefix + (i - 1))));
        }
        return steps;
    }

    @Test
    void aChainOfTransformsIsCommittedInBoundedTransactionsWithEveryEventInOrder() {
        int length = 40; // inline-steps-per-transaction is 16 by default: 16 + 16 + 8
        String user = newUser();
        String id = workflow(user, transformChain("t", length, null));
        String runId = start(user, id, Map.of());
        List<Event> all = events(runId, user, null);

        List<String> expected = new ArrayList<>(List.of("run.started"));
        for (int i = 0; i < length; i++) {
            expected.add("step.started t" + i + " 1");
            expected.add("step.succeeded t" + i + " 1");
        }
        expected.add("run.succeeded");
        assertThat(all.stream()
                        .map(e -> e.name().startsWith("step.")
                                ? e.name() + " " + e.data().get("stepId").asString() + " "
                                        + e.data().get("attempt").asInt()
                                : e.name())
                        .toList())
                .containsExactlyElementsOf(expected);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).id()).isEqualTo(i + 1);
        }
        // the output nests every earlier one: t39 → t38 → … → t0
        JsonNode output = all.getLast().data().get("output").get("t" + (length - 1));
        for (int i = length - 1; i > 0; i--) {
            assertThat(output.get("n").asInt()).isEqualTo(i);
            output = output.get("previous");
        }
        assertThat(output.get("n").asInt()).isZero();

        List<Event> rest = events(runId, user, "41");
        assertThat(rest.getFirst().id()).isEqualTo(42);
        assertThat(rest).hasSize(all.size() - 41);

        // steps updated by one transaction share its id (xmin): 40 steps in ceil(40 / 16) = 3 transactions
        assertThat(jdbc.sql("SELECT count(DISTINCT xmin::text) FROM run_steps WHERE run_id = :id")
                        .param("id", UUID.fromString(runId))
                        .query(Long.class)
                        .single())
                .isEqualTo(3L);
        JsonNode run = get("/api/v1/runs/" + runId, user).json();
        for (JsonNode step : run.get("steps")) {
            assertThat(step.get("status").asString()).isEqualTo("succeeded");
            assertThat(step.get("attempts").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aChainOfTransformsResumesAfterARestartFromItsLastCommittedStep() {
        String last = key();
        String user = newUser();
        // t0 … t4, then p0 (a transform that needs approval), p1 … p3, then a tool step
        List<Map<String, Object>> steps = new ArrayList<>(transformChain("t", 5, null));
        List<Map<String, Object>> after = transformChain("p", 4, "t4");
        after.getFirst().put("approval", true);
        steps.addAll(after);
        steps.add(step("last", "tool", tool("flaky", Map.of("key", last)), "dependsOn", List.of("p3")));
        String runId;
        List<String> before;
        try (ConfigurableApplicationContext other =
                otherInstance("--agency.orchestration.workflows.inline-steps-per-transaction=2")) {
            int mine = port;
            port = Integer.parseInt(other.getEnvironment().getProperty("local.server.port"));
            try {
                runId = start(user, workflow(user, steps), Map.of());
                awaitStatus(user, runId, "waiting_approval");
                before = storedEvents(runId);
            } finally {
                port = mine;
            }
        }
        // committed before the stop: t0 … t4 (in 3 transactions of at most 2 steps), p0 waiting
        JsonNode stopped = get("/api/v1/runs/" + runId, user).json();
        for (int i = 0; i < 5; i++) {
            assertThat(step(stopped, "t" + i).get("status").asString()).isEqualTo("succeeded");
        }
        assertThat(step(stopped, "p0").get("status").asString()).isEqualTo("waiting_approval");
        assertThat(step(stopped, "p1").get("status").asString()).isEqualTo("pending");
        assertThat(before.getLast()).isEqualTo(before.size() + " step.waiting_approval p0");

        engine.recover();
        Response approved = post("/api/v1/runs/" + runId + "/steps/p0/approval", user, Map.of("approved", true));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        JsonNode run = awaitStatus(user, runId, "succeeded");
        for (JsonNode step : run.get("steps")) {
            assertThat(step.get("attempts").asInt()).as(step.toString()).isEqualTo(1);
        }
        assertThat(calls(last)).isEqualTo(1);
        assertThat(step(run, "p3")
                        .get("output")
                        .get("previous")
                        .get("previous")
                        .get("previous")
                        .get("previous")
                        .get("n")
                        .asInt())
                .isEqualTo(4);

        // one stream over both instances: ids without gaps, each step started and succeeded once, in order
        List<Event> all = events(runId, user, null);
        assertThat(all.subList(0, before.size()).stream()
                        .map(e -> e.id() + " " + e.name() + " "
                                + e.data().path("stepId").asString(""))
                        .map(String::strip)
                        .toList())
                .isEqualTo(before);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).id()).isEqualTo(i + 1);
        }
        List<String> succeeded = all.stream()
                .filter(e -> e.name().equals("step.succeeded"))
                .map(e -> e.data().get("stepId").asString())
                .toList();
        assertThat(succeeded).containsExactly("t0", "t1", "t2", "t3", "t4", "p0", "p1", "p2", "p3", "last");
        assertThat(all.stream().filter(e -> e.name().equals("step.started")).count())
                .isEqualTo(10);
        assertThat(all.getLast().name()).isEqualTo("run.succeeded");
        List<Event> replay = events(runId, user, String.valueOf(before.size()));
        assertThat(replay).isEqualTo(all.subList(before.size(), all.size()));
    }

    @Test
    void aCoordinatorThatLostItsClaimCommitsNothingMore() {
        String gate = key();
        String user = newUser();
        String id = workflow(
                user,
                List.of(
                        step("wait", "tool", tool("gate", Map.of("key", gate, "parties", 2))),
                        step("after", "transform", "{{steps.wait.output}}", "dependsOn", List.of("wait"))));
        String runId = start(user, id, Map.of());
        UUID run = UUID.fromString(runId);
        await().atMost(WAIT).until(() -> calls(gate) == 1);
        // another replica takes the run over (as after an expired lease) while the step is running here
        jdbc.sql("UPDATE runs SET claimed_by = 'another-replica' WHERE id = :id")
                .param("id", run)
                .update();
        List<String> before = storedEvents(runId);
        GATES.get(gate).countDown(); // the attempt here ends; its coordinator must not record it
        await().atMost(WAIT).until(() -> !engine.executing(run));
        JsonNode stale = get("/api/v1/runs/" + runId, user).json();
        assertThat(step(stale, "wait").get("status").asString()).isEqualTo("running");
        assertThat(step(stale, "after").get("status").asString()).isEqualTo("pending");
        assertThat(storedEvents(runId)).isEqualTo(before);

        // the other replica is gone too: the run is recovered and the step runs again
        jdbc.sql("UPDATE runs SET claimed_by = NULL, claimed_until = NULL WHERE id = :id")
                .param("id", run)
                .update();
        engine.recover();
        JsonNode done = awaitStatus(user, runId, "succeeded");
        assertThat(calls(gate)).isEqualTo(2);
        assertThat(step(done, "wait").get("attempts").asInt()).isEqualTo(1);
        String attempt1 = "run:" + runId + ":step:wait:attempt:1";
        assertThat(IDEMPOTENCY_KEYS.get(gate)).containsExactly(attempt1, attempt1);
        assertThat(step(done, "after").get("output").get("overlapped").isBoolean())
                .isTrue();
    }

    /** The run's committed events as "{@code <id> <type> <stepId>}". */
    private List<String> storedEvents(String runId) {
        return jdbc.sql("""
                        SELECT seq || ' ' || type || coalesce(' ' || (data ->> 'stepId'), '') FROM run_events
                        WHERE run_id = :id ORDER BY seq
                        """)
                .param("id", UUID.fromString(runId))
                .query(String.class)
                .list();
    }

    /** Reads the run's SSE stream until the server ends it (the run ended). */
    private List<Event> events(String runId, String token, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/runs/" + runId + "/events"))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token)
                .timeout(WAIT);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<java.util.stream.Stream<String>> response =
                    HttpClient.newHttpClient().send(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            return events(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
