package ai.agency.orchestration.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.orchestration.OrchestrationProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one pass decides on a run's committed state, without a database or threads: the planner only records
 * decisions in the pass (the coordinator commits them and launches the started steps).
 */
class PassPlannerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aChainOfTransformsIsComputedInOnePassAndEndsTheRun() {
        Fixture fixture = new Fixture(8, 16);
        PassChanges pass = fixture.open(
                JSON.readTree("{\"n\": 3}"),
                step("a", "transform", "\"{{input.n}}\""),
                step("b", "transform", "{\"x\": \"{{steps.a.output}}\"}", "a"));

        assertThat(fixture.planner.plan(pass, fixture.running)).isNull();

        assertThat(pass.eventTypes())
                .containsExactly(
                        "run.started",
                        "step.started",
                        "step.succeeded",
                        "step.started",
                        "step.succeeded",
                        "run.succeeded");
        assertThat(pass.computed()).extracting(PassChanges.Done::attempt).containsExactly(1, 1);
        assertThat(pass.output().get("b").get("x").asInt()).isEqualTo(3);
        assertThat(pass.starts()).isEmpty();
    }

    @Test
    void transformsBeyondTheInlineBudgetWaitForTheNextTransaction() {
        Fixture fixture = new Fixture(8, 2);
        PassChanges pass = fixture.open(
                JSON.readTree("{}"),
                step("a", "transform", "1"),
                step("b", "transform", "2", "a"),
                step("c", "transform", "3", "b"));

        assertThat(fixture.planner.plan(pass, fixture.running)).isNotNull();

        assertThat(pass.computed()).extracting(PassChanges.Done::stepId).containsExactly("a", "b");
        assertThat(pass.state("c").status()).isEqualTo(RunStep.PENDING);
        assertThat(pass.endsRun()).isFalse();
    }

    @Test
    void readyStepsBeyondTheRunsLimitWaitForASlotAndAreCounted() {
        Fixture fixture = new Fixture(2, 16);
        PassChanges pass = fixture.open(
                JSON.readTree("{}"), step("a", "tool", "{}"), step("b", "tool", "{}"), step("c", "tool", "{}"));

        Instant wake = fixture.planner.plan(pass, fixture.running);

        assertThat(pass.starts()).extracting(s -> s.step().id()).containsExactly("a", "b");
        assertThat(pass.starts()).extracting(PassChanges.Start::attempt).containsExactly(1, 1);
        assertThat(pass.state("c").status()).isEqualTo(RunStep.PENDING);
        assertThat(fixture.running.blocked()).isEqualTo(1);
        assertThat(wake).isBefore(Instant.now().plusMillis(100)); // looks again soon for a free slot
    }

    @Test
    void aStepRetriedAfterARecordedFailureStartsItsNextAttempt() {
        Fixture fixture = new Fixture(8, 16);
        RunStep failedOnce = new RunStep(
                "a", 0, "tool", RunStep.PENDING, 1, null, null, Instant.now().minusSeconds(1), null, null, null, null);
        PassChanges pass =
                fixture.open(Run.RUNNING, JSON.readTree("{}"), List.of(step("a", "tool", "{}")), List.of(failedOnce));

        fixture.planner.plan(pass, fixture.running);

        assertThat(pass.starts()).extracting(PassChanges.Start::attempt).containsExactly(2);
        assertThat(pass.eventData().getFirst().get("attempt").asInt()).isEqualTo(2);
    }

    @Test
    void aFalseConditionSkipsTheStepAndTheBranchAfterIt() {
        Fixture fixture = new Fixture(8, 16);
        StepDefinition b = new StepDefinition(
                "b", null, "transform", JSON.readTree("2"), List.of("a"), "steps.a.output > 5", null, null, null);
        PassChanges pass =
                fixture.open(JSON.readTree("{}"), step("a", "transform", "1"), b, step("c", "transform", "3", "b"));

        assertThat(fixture.planner.plan(pass, fixture.running)).isNull();

        assertThat(pass.skipped()).containsExactly("b", "c");
        assertThat(pass.skipReasons()).containsExactly("its condition is false", "all its dependencies were skipped");
        assertThat(pass.eventTypes().getLast()).isEqualTo("run.succeeded");
        assertThat(pass.output().isEmpty()).isTrue(); // the only last step, c, was skipped
    }

    @Test
    void aRunWithNothingButApprovalsLeftWaitsForAPerson() {
        Fixture fixture = new Fixture(8, 16);
        PassChanges pass = fixture.open(
                JSON.readTree("{}"), step("gate", "approval", "null"), step("after", "transform", "1", "gate"));

        assertThat(fixture.planner.plan(pass, fixture.running)).isNotNull();

        assertThat(pass.awaiting()).containsExactly("gate");
        assertThat(pass.status()).isEqualTo(Run.WAITING_APPROVAL);
        assertThat(pass.eventTypes()).containsExactly("run.started", "step.waiting_approval");
        assertThat(fixture.running.waiting()).isEqualTo(1);
    }

    private static StepDefinition step(String id, String type, String input, String... dependsOn) {
        return new StepDefinition(id, null, type, JSON.readTree(input), List.of(dependsOn), null, null, null, null);
    }

    /** A planner with a launcher that is never asked to launch (the planner only reserves slots). */
    private static final class Fixture {

        final PassPlanner planner;
        final RunningSteps running;

        Fixture(int maxParallelStepsPerRun, int inlineStepsPerTransaction) {
            OrchestrationProperties.Workflows settings = new OrchestrationProperties.Workflows(
                    maxParallelStepsPerRun,
                    64,
                    Duration.ofMinutes(5),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(10),
                    3,
                    true,
                    Duration.ofSeconds(60),
                    inlineStepsPerTransaction,
                    null,
                    null);
            WorkflowMetrics metrics = new WorkflowMetrics(new SimpleMeterRegistry());
            StepLauncher launcher = new StepLauncher(null, new StepRunner(null, JSON), null, metrics, settings);
            this.planner = new PassPlanner(settings, metrics, launcher, new RunEvents(JSON), JSON);
            this.running = new RunningSteps(launcher, outcome -> {});
        }

        /** A queued run whose steps are all pending. */
        PassChanges open(JsonNode input, StepDefinition... steps) {
            List<RunStep> states = new ArrayList<>();
            for (int i = 0; i < steps.length; i++) {
                states.add(new RunStep(
                        steps[i].id(),
                        i,
                        steps[i].type(),
                        RunStep.PENDING,
                        0,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));
            }
            return open(Run.QUEUED, input, List.of(steps), states);
        }

        PassChanges open(String status, JsonNode input, List<StepDefinition> steps, List<RunStep> states) {
            Run run = new Run(
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    status,
                    input,
                    steps,
                    null,
                    null,
                    JSON.createObjectNode(),
                    Instant.now(),
                    null,
                    null);
            return planner.open(run, states);
        }
    }
}
