package ai.agency.orchestration.workflow;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.chat.AgentTurns;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Executes one attempt of a step whose input templates are already filled: {@code tool} through tool-service,
 * {@code agent} as one turn of the chat loop, {@code transform} by returning its input. Failures are thrown as
 * {@link StepFailure} with their error class.
 */
@Component
class StepRunner {

    private final AgentTurns turns;
    private final JsonMapper json;
    private final Tracer tracer;

    StepRunner(AgentTurns turns, JsonMapper json) {
        this(turns, json, Tracer.NOOP);
    }

    @Autowired
    StepRunner(AgentTurns turns, JsonMapper json, ObjectProvider<Tracer> tracer) {
        this(turns, json, tracer.getIfAvailable(() -> Tracer.NOOP));
    }

    private StepRunner(AgentTurns turns, JsonMapper json, Tracer tracer) {
        this.turns = turns;
        this.json = json;
        this.tracer = tracer;
    }

    /**
     * Runs attempt {@code attempt} of the step; {@code caller} is asked for only by steps that call other services (it
     * may renew a token).
     */
    JsonNode execute(UUID runId, int attempt, Supplier<Caller> caller, StepDefinition step, JsonNode input) {
        // each attempt is a span of its own ("step <id>"), the root of a trace that holds its calls to other services
        Span span = tracer.nextSpan()
                .name("step " + step.id())
                .tag("agency.run.id", runId.toString())
                .tag("agency.step.type", step.type())
                .tag("agency.step.attempt", Integer.toString(attempt))
                .start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            return attempt(runId, attempt, caller, step, input);
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private JsonNode attempt(UUID runId, int attempt, Supplier<Caller> caller, StepDefinition step, JsonNode input) {
        try {
            return switch (step.type()) {
                case "tool" -> tool(caller.get(), input, idempotencyKey(runId, step, attempt));
                case "agent" -> agent(runId, caller.get(), step, input);
                case "approval" -> json.createObjectNode().put("approved", true);
                default -> input;
            };
        } catch (StepFailure failure) {
            throw failure;
        } catch (AgencyException e) {
            throw new StepFailure(e.errorType(), e.getMessage());
        } catch (RuntimeException e) {
            ErrorType type = ErrorClassifier.classify(e);
            throw new StepFailure(type, type == ErrorType.INTERNAL ? "the step failed unexpectedly" : type.code());
        }
    }

    /**
     * The {@code Idempotency-Key} of a tool step's call: the same for every execution of one attempt — an attempt cut
     * off by a crash or a lost claim runs again under its number — and new for each retry after a recorded failure.
     */
    static String idempotencyKey(UUID runId, StepDefinition step, int attempt) {
        return "run:" + runId + ":step:" + step.id() + ":attempt:" + attempt;
    }

    private JsonNode tool(Caller caller, JsonNode input, String idempotencyKey) {
        JsonNode parameters = input.path("parameters");
        if (parameters.isString()) {
            parameters = json.readTree(parameters.asString());
        }
        JsonNode envelope = turns.executeTool(
                caller, input.path("tool").asString(), parameters.isMissingNode() ? null : parameters, idempotencyKey);
        if (envelope.path("success").asBoolean(false)) {
            return envelope.path("data");
        }
        JsonNode error = envelope.path("error");
        throw new StepFailure(
                StepFailure.byCode(error.path("errorType").asString("internal")),
                error.path("message").asString("the tool failed"));
    }

    private JsonNode agent(UUID runId, Caller caller, StepDefinition step, JsonNode input) {
        String message =
                input.isString() ? input.asString() : input.path("message").asString("");
        String title = "Workflow run " + runId + " · " + step.id();
        return json.getNodeFactory()
                .stringNode(turns.ask(caller, step.agentId(), step.agentVersion(), title, message)
                        .content());
    }
}
