package ai.agency.orchestration.schedule;

import static ai.agency.common.testsupport.ProblemAssertions.errorFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.AuthStub;
import ai.agency.orchestration.OrchestrationApiTest;
import com.github.kagkarlsson.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import tools.jackson.databind.JsonNode;

/**
 * Cron schedules of workflows against the real database and db-scheduler (polling every 200 ms in tests): an
 * every-second schedule starts runs as its owner through its own API key, pause stops them, two schedulers on one
 * database start one run per tick, a tick handled twice starts one run, and missed ticks obey their policy.
 */
class ScheduleApiTest extends OrchestrationApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private DataSource dataSource;

    @Autowired
    private Scheduler scheduler;

    @Autowired
    private ScheduleTicks ticks;

    @Autowired
    private ScheduleRepository schedules;

    /** A workflow that echoes its input and calls the calculator (tool-service wants the user's token). */
    private String workflow(String token) {
        Response created = post(
                "/api/v1/workflows",
                token,
                Map.of(
                        "name",
                        "scheduled",
                        "steps",
                        List.of(
                                Map.of("id", "echo", "type", "transform", "input", Map.of("n", "{{input.n}}")),
                                Map.of(
                                        "id",
                                        "calc",
                                        "type",
                                        "tool",
                                        "input",
                                        Map.of("tool", "calculator", "parameters", Map.of("expression", "6 * 7"))))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private Response schedule(String token, String workflowId, Map<String, Object> body) {
        return post("/api/v1/workflows/" + workflowId + "/schedules", token, body);
    }

    private String everySecond(String token, String workflowId) {
        Response created = schedule(
                token,
                workflowId,
                Map.of("cron", "* * * * * *", "timeZone", "UTC", "input", Map.of("n", 7), "missedPolicy", "skip"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private int runs(String workflowId) {
        return jdbc.sql("SELECT count(*) FROM runs WHERE workflow_id = :id")
                .param("id", UUID.fromString(workflowId))
                .query(Integer.class)
                .single();
    }

    @Test
    void anEverySecondScheduleStartsRunsAsItsOwnerUntilDeleted() {
        UUID userId = UUID.randomUUID();
        String token = jwts.user(userId);
        String workflowId = workflow(token);
        Response created = schedule(
                token,
                workflowId,
                Map.of(
                        "cron",
                        "* * * * * *",
                        "timeZone",
                        "Europe/Paris",
                        "input",
                        Map.of("n", 7),
                        "missedPolicy",
                        "run_once"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asString();
        List<Instant> next = new ArrayList<>();
        created.json().get("nextFireTimes").forEach(t -> next.add(Instant.parse(t.asString())));
        assertThat(next).hasSize(5);
        for (int i = 1; i < 5; i++) {
            assertThat(Duration.between(next.get(i - 1), next.get(i))).isEqualTo(Duration.ofSeconds(1));
        }
        AuthStub.Key key = AuthStub.named("workflow-schedule " + id);
        assertThat(key).as("the schedule's API key").isNotNull();
        assertThat(key.userId()).isEqualTo(userId);
        assertThat(key.scopes()).containsExactlyInAnyOrder("read", "write");

        await().atMost(WAIT).until(() -> runs(workflowId) >= 2);
        JsonNode list = get("/api/v1/runs?workflowId=" + workflowId, token).json();
        String runId = list.get("items").get(0).get("id").asString();
        JsonNode run = awaitSucceeded(token, runId);
        assertThat(run.get("input").get("n").asInt()).isEqualTo(7);
        assertThat(run.get("steps").get(0).get("output").get("n").asInt()).isEqualTo(7);
        assertThat(run.get("steps").get(1).get("output").get("result").asDouble())
                .isEqualTo(42.0);
        assertThat(STUB_REQUESTS)
                .as("the tool was called as the schedule's owner")
                .anyMatch(r -> userId.toString().equals(r.user())
                        && r.path().startsWith("/tool/")
                        && r.path().endsWith("/execute"));

        JsonNode listed = get("/api/v1/schedules", token).json();
        assertThat(listed.get("items")).hasSize(1);
        JsonNode mine = listed.get("items").get(0);
        assertThat(mine.get("id").asString()).isEqualTo(id);
        assertThat(mine.get("paused").asBoolean()).isFalse();
        assertThat(mine.get("timeZone").asString()).isEqualTo("Europe/Paris");
        assertThat(mine.get("nextFireTimes")).hasSize(5);
        assertThat(mine.get("lastRunId").isNull()).isFalse();

        assertThat(send("DELETE", "/api/v1/schedules/" + id, token, null).status())
                .isEqualTo(204);
        assertThat(AuthStub.REVOKED).as("deleting revokes the key").contains(key.id());
        int after = settledRuns(workflowId);
        sleep(Duration.ofMillis(2500));
        assertThat(runs(workflowId)).as("no run after the schedule was deleted").isEqualTo(after);
        assertThat(get("/api/v1/schedules/" + id, token).status()).isEqualTo(404);
        assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_instance = :id")
                        .param("id", id)
                        .query(Integer.class)
                        .single())
                .isZero();
    }

    @Test
    void pauseStopsRunsAndResumeStartsThemAgain() {
        String token = newUser();
        String workflowId = workflow(token);
        String id = everySecond(token, workflowId);
        await().atMost(WAIT).until(() -> runs(workflowId) >= 1);

        Response paused = send("PATCH", "/api/v1/schedules/" + id, token, Map.of("paused", true));
        assertThat(paused.status()).as(paused.body()).isEqualTo(200);
        assertThat(paused.json().get("paused").asBoolean()).isTrue();
        assertThat(paused.json().get("nextFireTimes")).isEmpty();
        int before = settledRuns(workflowId);
        sleep(Duration.ofMillis(2500));
        assertThat(runs(workflowId)).as("no run while paused").isEqualTo(before);

        Response resumed = send("PATCH", "/api/v1/schedules/" + id, token, Map.of("paused", false));
        assertThat(resumed.json().get("paused").asBoolean()).isFalse();
        await().atMost(WAIT).until(() -> runs(workflowId) > before);
        send("DELETE", "/api/v1/schedules/" + id, token, null);
    }

    @Test
    void twoSchedulersOnOneDatabaseStartOneRunPerTick() {
        Scheduler second = Scheduler.create(
                        new TransactionAwareDataSourceProxy(dataSource), List.of(ticks.workflowScheduleTask()))
                .pollingInterval(Duration.ofMillis(100))
                .threads(4)
                .build();
        second.start();
        String token = newUser();
        String workflowId = workflow(token);
        String id;
        try {
            id = everySecond(token, workflowId);
            await().atMost(WAIT).until(() -> runs(workflowId) >= 5);
        } finally {
            second.stop();
        }
        send("PATCH", "/api/v1/schedules/" + id, token, Map.of("paused", true));
        int runs = settledRuns(workflowId);
        List<Map<String, Object>> fires = jdbc.sql("SELECT tick, run_id FROM schedule_fires f"
                        + " JOIN runs r ON r.id = f.run_id WHERE r.workflow_id = :id")
                .param("id", UUID.fromString(workflowId))
                .query()
                .listOfRows();
        assertThat(fires).as("every run belongs to one tick").hasSize(runs);
        assertThat(fires.stream().map(f -> f.get("tick")).distinct().count())
                .as("no tick has two runs")
                .isEqualTo(runs);
        send("DELETE", "/api/v1/schedules/" + id, token, null);
    }

    @Test
    void aTickHandledTwiceAtOnceStartsOneRun() throws Exception {
        String token = newUser();
        String workflowId = workflow(token);
        Response created = schedule(token, workflowId, Map.of("cron", "0 0 0 1 1 *", "input", Map.of("n", 1)));
        UUID id = UUID.fromString(created.json().get("id").asString());
        Instant tick = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Callable<Void>> twice = List.of(
                () -> {
                    ticks.handle(id, tick);
                    return null;
                },
                () -> {
                    ticks.handle(id, tick);
                    return null;
                });
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (Future<Void> done : pool.invokeAll(twice)) {
                done.get();
            }
        }
        ticks.handle(id, tick); // and a retry later
        assertThat(runs(workflowId)).isEqualTo(1);
    }

    @Test
    void aReplicaThatDiesAfterCommittingATicksRunBeforeReschedulingLeavesOneRun() {
        // the crash window: a replica picked the tick's execution, committed the run (and its schedule_fires row),
        // and died before db-scheduler could reschedule the execution. Its row is left as a dead replica leaves it:
        // picked, by a name no scheduler has, heartbeat long stale.
        String token = newUser();
        String workflowId = workflow(token);
        UUID id = UUID.fromString(schedule(
                        token,
                        workflowId,
                        Map.of("cron", "0 0 0 1 1 *", "input", Map.of("n", 3), "missedPolicy", "run_once"))
                .json()
                .get("id")
                .asString());
        Instant tick = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        scheduler.reschedule(ticks.instance(id, tick), Instant.now().plus(Duration.ofDays(1)), tick);
        UUID committed = ticks.fire(schedules.find(id).orElseThrow(), tick).orElseThrow();
        int picked = jdbc.sql("UPDATE scheduled_tasks SET picked = true, picked_by = 'replica-that-died',"
                        + " execution_time = :tick, last_heartbeat = now() - interval '10 minutes',"
                        + " version = version + 1 WHERE task_name = :task AND task_instance = :id")
                .param("tick", java.sql.Timestamp.from(tick))
                .param("task", ScheduleTicks.TASK_NAME)
                .param("id", id.toString())
                .update();
        assertThat(picked).isOne();

        // a surviving replica (started now, so it looks for dead executions at once) takes the tick over
        Scheduler survivor = Scheduler.create(
                        new TransactionAwareDataSourceProxy(dataSource), List.of(ticks.workflowScheduleTask()))
                .pollingInterval(Duration.ofMillis(100))
                .heartbeatInterval(Duration.ofSeconds(1))
                .build();
        survivor.start();
        try {
            await().atMost(WAIT)
                    .until(() -> jdbc.sql("SELECT NOT picked AND execution_time > now() + interval '1 day'"
                                    + " FROM scheduled_tasks WHERE task_name = :task AND task_instance = :id")
                            .param("task", ScheduleTicks.TASK_NAME)
                            .param("id", id.toString())
                            .query(Boolean.class)
                            .single());
        } finally {
            survivor.stop();
        }
        assertThat(runs(workflowId))
                .as("the tick handled again starts no second run")
                .isEqualTo(1);
        assertThat(jdbc.sql("SELECT run_id FROM schedule_fires WHERE schedule_id = :id")
                        .param("id", id)
                        .query(UUID.class)
                        .list())
                .containsExactly(committed);
        Instant next = jdbc.sql("SELECT execution_time FROM scheduled_tasks WHERE task_instance = :id")
                .param("id", id.toString())
                .query(java.sql.Timestamp.class)
                .single()
                .toInstant();
        assertThat(next)
                .as("rescheduled to the next tick (1 January)")
                .isEqualTo(schedules.find(id).orElseThrow().times().next(tick));
        assertThat(awaitSucceeded(token, committed.toString())
                        .get("input")
                        .get("n")
                        .asInt())
                .isEqualTo(3);
        send("DELETE", "/api/v1/schedules/" + id, token, null);
    }

    @Test
    void aMissedTickRunsOnceWithRunOnceAndNotAtAllWithSkip() {
        String token = newUser();
        String once = workflow(token);
        String skip = workflow(token);
        // hourly: three ticks were missed while "everything was down" (the execution is 3 h overdue)
        String onceId = schedule(token, once, Map.of("cron", "0 0 * * * *", "missedPolicy", "run_once"))
                .json()
                .get("id")
                .asString();
        String skipId = schedule(token, skip, Map.of("cron", "0 0 * * * *", "missedPolicy", "skip"))
                .json()
                .get("id")
                .asString();
        Instant overdue = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.HOURS);
        for (String id : List.of(onceId, skipId)) {
            scheduler.reschedule(ticks.instance(UUID.fromString(id), overdue), overdue, overdue);
        }

        await().atMost(WAIT).until(() -> runs(once) == 1);
        await().atMost(WAIT)
                .until(() -> !get("/api/v1/schedules/" + skipId, token)
                        .json()
                        .get("lastError")
                        .isNull());
        sleep(Duration.ofSeconds(1));
        assertThat(runs(once)).as("run_once: one run for all missed ticks").isEqualTo(1);
        assertThat(runs(skip)).as("skip: none").isZero();
        assertThat(get("/api/v1/schedules/" + skipId, token)
                        .json()
                        .get("lastError")
                        .asString())
                .contains("missed and skipped");
        for (String id : List.of(onceId, skipId)) {
            Instant next = jdbc.sql("SELECT execution_time FROM scheduled_tasks WHERE task_instance = :id")
                    .param("id", id)
                    .query(java.sql.Timestamp.class)
                    .single()
                    .toInstant();
            assertThat(next).as("the next tick is the next one from now").isAfter(Instant.now());
        }
    }

    @Test
    void aScheduleWhoseKeyWasRevokedRecordsWhyItStartedNoRun() {
        String token = newUser();
        String workflowId = workflow(token);
        String id = schedule(token, workflowId, Map.of("cron", "0 0 0 1 1 *"))
                .json()
                .get("id")
                .asString();
        AuthStub.REVOKED.add(AuthStub.named("workflow-schedule " + id).id()); // the user revoked it in auth-service
        Instant now = Instant.now();
        scheduler.reschedule(ticks.instance(UUID.fromString(id), now), now, now); // its tick is due

        await().atMost(WAIT).until(() -> {
            JsonNode error = get("/api/v1/schedules/" + id, token).json().get("lastError");
            return !error.isNull() && error.asString().startsWith("authentication");
        });
        assertThat(runs(workflowId)).isZero();
        send("DELETE", "/api/v1/schedules/" + id, token, null);
    }

    @Test
    void hostileInputIsRefusedWithProblemsNamingTheField() {
        String token = newUser();
        String workflowId = workflow(token);
        Map<String, Map<String, Object>> cases = new HashMap<>();
        cases.put("cron", Map.of("cron", "every day at noon"));
        cases.put("timeZone", Map.of("cron", "0 0 12 * * *", "timeZone", "Mars/Olympus_Mons"));
        cases.put("missedPolicy", Map.of("cron", "0 0 12 * * *", "missedPolicy", "twice"));
        cases.put("input", Map.of("cron", "0 0 12 * * *", "input", Map.of("big", "x".repeat(70_000))));
        for (var c : cases.entrySet()) {
            Response refused = schedule(token, workflowId, c.getValue());
            JsonNode problem = ProblemAssertions.assertProblem(
                    refused.status(), refused.contentType(), refused.body(), 400, "validation");
            assertThat(errorFields(problem)).as(refused.body()).containsExactly(c.getKey());
        }
        Response never = schedule(token, workflowId, Map.of("cron", "0 0 0 30 2 *"));
        assertThat(errorFields(ProblemAssertions.assertProblem(
                        never.status(), never.contentType(), never.body(), 400, "validation")))
                .containsExactly("cron");
        Response missing = schedule(token, workflowId, Map.of("timeZone", "UTC"));
        assertThat(errorFields(ProblemAssertions.assertProblem(
                        missing.status(), missing.contentType(), missing.body(), 400, "validation")))
                .containsExactly("cron");
        Response fiveFields = schedule(token, workflowId, Map.of("cron", "30 12 * * 1-5"));
        assertThat(fiveFields.status()).as(fiveFields.body()).isEqualTo(201);
        assertThat(fiveFields.json().get("cron").asString()).isEqualTo("0 30 12 * * 1-5");
        String id = fiveFields.json().get("id").asString();

        String stranger = newUser();
        Response theirs = schedule(stranger, workflowId, Map.of("cron", "0 0 12 * * *"));
        ProblemAssertions.assertProblem(theirs.status(), theirs.contentType(), theirs.body(), 404, "not_found");
        assertThat(get("/api/v1/schedules/" + id, stranger).status()).isEqualTo(404);
        assertThat(send("PATCH", "/api/v1/schedules/" + id, stranger, Map.of("paused", true))
                        .status())
                .isEqualTo(404);
        assertThat(send("DELETE", "/api/v1/schedules/" + id, stranger, null).status())
                .isEqualTo(404);
        assertThat(get("/api/v1/schedules", stranger).json().get("items")).isEmpty();
        Response noPaused = send("PATCH", "/api/v1/schedules/" + id, token, Map.of());
        assertThat(errorFields(ProblemAssertions.assertProblem(
                        noPaused.status(), noPaused.contentType(), noPaused.body(), 400, "validation")))
                .containsExactly("paused");
        Response viewer = schedule(jwts.viewer(UUID.randomUUID()), workflowId, Map.of("cron", "0 0 12 * * *"));
        assertThat(viewer.status()).isIn(403, 404);
        assertThat(get("/api/v1/schedules/" + id, token).json().get("paused").asBoolean())
                .isFalse();

        AuthStub.DOWN.set(true);
        try {
            Response noKey = schedule(token, workflowId, Map.of("cron", "0 0 12 * * *"));
            ProblemAssertions.assertProblem(
                    noKey.status(), noKey.contentType(), noKey.body(), 503, "service_unavailable");
        } finally {
            AuthStub.DOWN.set(false);
        }
        send("DELETE", "/api/v1/schedules/" + id, token, null);
    }

    /** The run count once in-flight ticks have settled (no change for half a second). */
    private int settledRuns(String workflowId) {
        int[] last = {-1};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            int now = runs(workflowId);
            boolean same = now == last[0];
            last[0] = now;
            return same;
        });
        return last[0];
    }

    private JsonNode awaitSucceeded(String token, String runId) {
        JsonNode[] run = {null};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            Response response = get("/api/v1/runs/" + runId, token);
            run[0] = response.json();
            assertThat(run[0].get("status").asString()).as(response.body()).isEqualTo("succeeded");
        });
        return run[0];
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
