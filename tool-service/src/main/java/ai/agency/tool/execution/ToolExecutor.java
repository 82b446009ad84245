package ai.agency.tool.execution;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.RateLimitedException;
import ai.agency.common.limit.UserConcurrencyLimit;
import ai.agency.common.security.Caller;
import ai.agency.tool.ToolProperties;
import ai.agency.tool.external.McpClients;
import ai.agency.tool.registry.ParameterValidator;
import ai.agency.tool.registry.Tool;
import ai.agency.tool.registry.ToolRegistry;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Runs a tool for a caller: role check, schema validation, then the call on a virtual thread under the tool's timeout,
 * circuit breaker ({@code tool-<name>}) and bulkhead, so one slow or broken tool never holds up the others. Every run
 * is logged (redacted parameters) and measured ({@code agency_tool_executions_total},
 * {@code agency_tool_execution_seconds}). Before any of that, the call takes a slot of its user
 * ({@code agency.tool.concurrency}: 8 per user, 256 in all, 2 s wait), so one user cannot hold every slot of a tool's
 * bulkhead and starve the others; past the wait it is refused with 429 (503 when the total is busy), not logged.
 *
 * <p>The tool's bulkhead ({@code max-concurrent-calls}) is a fair semaphore — calls run on virtual threads, so a
 * thread-pool bulkhead would only add a second queue — and a call waits up to {@code bulkhead-max-wait} for a slot:
 * a burst of calls to a fast tool queues for milliseconds instead of being refused. Past the wait the call is refused
 * with 429 {@code rate_limit} and {@code Retry-After} (an {@code isError} result over MCP), counted and logged as
 * {@code rejected}: the tool is healthy and shedding load, which must not open callers' circuit breakers as a 5xx
 * would.
 */
@Service
public class ToolExecutor implements DisposableBean {

    /** Outcomes as logged and as the {@code outcome} tag of the metrics. */
    public static final String SUCCESS = "success";

    public static final String ERROR = "error";
    public static final String TIMEOUT = "timeout";
    public static final String REJECTED = "rejected";

    private static final Logger log = LoggerFactory.getLogger(ToolExecutor.class);

    private final ToolRegistry registry;
    private final ParameterValidator validator;
    private final HttpToolInvoker httpTools;
    private final McpClients mcpTools;
    private final ToolCallUsage usage;
    private final CircuitBreakerRegistry circuitBreakers;
    private final BulkheadRegistry bulkheads;
    private final MeterRegistry meters;
    private final Tracer tracer;
    private final ToolProperties properties;
    private final UserConcurrencyLimit calls;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    ToolExecutor(
            ToolRegistry registry,
            ParameterValidator validator,
            HttpToolInvoker httpTools,
            McpClients mcpTools,
            ToolCallUsage usage,
            CircuitBreakerRegistry circuitBreakers,
            BulkheadRegistry bulkheads,
            MeterRegistry meters,
            ToolProperties properties,
            ObjectProvider<Tracer> tracer) {
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
        this.registry = registry;
        this.validator = validator;
        this.httpTools = httpTools;
        this.mcpTools = mcpTools;
        this.usage = usage;
        this.circuitBreakers = circuitBreakers;
        this.bulkheads = bulkheads;
        this.meters = meters;
        this.properties = properties;
        ToolProperties.Concurrency concurrency = properties.concurrency();
        this.calls = new UserConcurrencyLimit(
                "tool calls", concurrency.perUser(), concurrency.total(), concurrency.maxWait(), meters);
    }

    /**
     * Executes tool {@code name}. Unknown tool (or disabled, for non-admins) → 404, disabled (admins) → 409, forbidden → 403, parameters not an object or not matching the
     * schema or a built-in's {@link ai.agency.tool.builtin.BuiltinTool#check} → 400 (thrown); anything that goes wrong inside the tool is answered as {@code success: false}.
     */
    public ExecutionResult execute(Caller caller, String name, @Nullable JsonNode parameters) {
        return execute(caller, prepare(caller, name, parameters));
    }

    /** A call that passed every check and may run: the tool and its parameters (an object). */
    public record Call(Tool tool, JsonNode parameters) {}

    /** The checks of {@link #execute(Caller, String, JsonNode)} before the tool runs (thrown as problems). */
    public Call prepare(Caller caller, String name, @Nullable JsonNode parameters) {
        Tool tool = registry.visible(caller, name); // disabled: 404 for non-admins
        if (!tool.enabled()) {
            throw AgencyException.conflict("Tool " + name + " is disabled; enable it with PATCH {\"enabled\": true}");
        }
        if (tool.write() && !caller.canWrite()) {
            throw AgencyException.forbidden("Tool " + name + " changes data; your role may only read");
        }
        JsonNode params = parameters == null || parameters.isNull() || parameters.isMissingNode()
                ? JsonNodeFactory.instance.objectNode()
                : parameters;
        if (!params.isObject()) {
            throw AgencyException.invalidField("parameters", "must be a JSON object");
        }
        validator.validate(tool.parameters(), params);
        if (Tool.BUILTIN.equals(tool.source())) {
            registry.builtin(name).check(params); // what the schema cannot say (400 naming the parameter)
        }
        return new Call(tool, params);
    }

    /**
     * Runs a prepared call. Throws an {@link AgencyException} (429 {@code rate_limit}, 503 {@code resource_exhausted})
     * only when the call was refused before the tool ran (the caller's or the instance's limit, the tool's bulkhead);
     * every other outcome is the envelope.
     */
    public ExecutionResult execute(Caller caller, Call call) {
        Tool tool = call.tool();
        JsonNode params = call.parameters();
        String name = tool.name();
        usage.requireQuota(caller); // 429 past tool_calls_per_minute
        UserConcurrencyLimit.Permit permit = calls.acquire(caller.id()); // 429 / 503 past the wait
        long start = System.nanoTime();
        Object data = null;
        ExecutionResult.Failure failure = null;
        String outcome = SUCCESS;
        RateLimitedException refused = null;
        // a span of its own per execution ("tool <name>", below the inbound request's), with the outcome as a tag
        Span span =
                tracer.nextSpan().name("tool " + name).tag("agency.tool", name).start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            data = guarded(caller, tool, params);
        } catch (BulkheadFull full) {
            outcome = REJECTED;
            refused = full.refusal;
            failure = new ExecutionResult.Failure(refused.errorType().code(), refused.getMessage());
            log.info("Tool {} refused for user {}: its {} slots stayed busy", name, caller.id(), full.slots);
        } catch (Throwable t) {
            ErrorType type = ErrorClassifier.classify(t);
            outcome = t instanceof ToolTimeout ? TIMEOUT : t instanceof Rejected ? REJECTED : ERROR;
            failure = new ExecutionResult.Failure(type.code(), safeMessage(t, type));
            if (type == ErrorType.INTERNAL) {
                log.error("Tool {} failed for user {}", name, caller.id(), t);
            } else {
                log.info("Tool {} failed for user {}: {} ({})", name, caller.id(), failure.message(), type.code());
            }
        } finally {
            permit.close();
            span.tag("agency.tool.outcome", outcome).end();
        }
        long nanos = System.nanoTime() - start;
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        record(tool.name(), outcome, nanos);
        usage.logged(new ExecutionRepository.Execution(
                UUID.randomUUID(),
                caller.id(),
                tool.name(),
                outcome,
                failure == null ? null : failure.errorType(),
                millis,
                Redactor.redact(params),
                Instant.now()));
        if (refused != null) {
            throw refused; // 429 with Retry-After; MCP: an isError result with errorType rate_limit
        }
        return new ExecutionResult(tool.name(), failure == null, data, failure, millis);
    }

    private Object guarded(Caller caller, Tool tool, JsonNode params) throws Exception {
        Bulkhead bulkhead = bulkheads.bulkhead(
                "tool-" + tool.name(),
                () -> BulkheadConfig.custom()
                        .maxConcurrentCalls(properties.maxConcurrentCalls())
                        .maxWaitDuration(properties.bulkheadMaxWait())
                        .fairCallHandlingStrategyEnabled(true)
                        .build());
        CircuitBreaker breaker = circuitBreakers.circuitBreaker("tool-" + tool.name(), this::circuitConfig);
        if (!bulkhead.tryAcquirePermission()) { // waits up to bulkhead-max-wait
            int slots = bulkhead.getBulkheadConfig().getMaxConcurrentCalls();
            throw new BulkheadFull(
                    slots,
                    new RateLimitedException(
                            "Tool " + tool.name() + " is running as many calls as it allows (" + slots
                                    + ") and no slot came free within "
                                    + properties.bulkheadMaxWait().toMillis() + " ms; retry shortly",
                            (properties.bulkheadMaxWait().toMillis() + 999) / 1000));
        }
        try {
            if (!breaker.tryAcquirePermission()) {
                throw new Rejected(
                        ErrorType.SERVICE_UNAVAILABLE,
                        "tool " + tool.name() + " is failing repeatedly; its circuit is open, try later");
            }
            long start = System.nanoTime();
            try {
                Object result = callWithTimeout(caller, tool, params);
                breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                return result;
            } catch (Throwable t) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, t);
                throw t;
            }
        } finally {
            bulkhead.onComplete();
        }
    }

    private CircuitBreakerConfig circuitConfig() {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(properties.circuitFailureRate())
                .slidingWindowSize(properties.circuitWindow())
                .minimumNumberOfCalls(properties.circuitWindow())
                .waitDurationInOpenState(properties.circuitOpenWait())
                // after the wait the circuit is half open by itself, not "open" until some call happens to come
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(ToolExecutor::countsAgainstTheTool)
                .build();
    }

    /** Failures of the tool itself (timeouts, network, outages, internal errors), not bad input or denials. */
    static boolean countsAgainstTheTool(Throwable t) {
        ErrorType type = ErrorClassifier.classify(t);
        return type.recoverable() || type == ErrorType.INTERNAL;
    }

    private Object callWithTimeout(Caller caller, Tool tool, JsonNode params) throws Exception {
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        Future<Object> future = threads.submit(() -> {
            if (mdc != null) {
                MDC.setContextMap(mdc);
            }
            try {
                return invoke(caller, tool, params);
            } finally {
                MDC.clear();
            }
        });
        try {
            return future.get(tool.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ToolTimeout(tool.timeoutMs());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    private Object invoke(Caller caller, Tool tool, JsonNode params) {
        return switch (tool.source()) {
            case Tool.BUILTIN -> registry.builtin(tool.name()).run(caller, params);
            case Tool.HTTP -> httpTools.invoke(caller, tool, params);
            case Tool.MCP -> mcpTools.call(tool, params);
            default ->
                throw new AgencyException(
                        ErrorType.INTERNAL, "tools of source " + tool.source() + " cannot be executed");
        };
    }

    private void record(String tool, String outcome, long nanos) {
        Counter.builder("agency.tool.executions")
                .description("Tool executions by tool and outcome")
                .tag("tool", tool)
                .tag("outcome", outcome)
                .register(meters)
                .increment();
        Timer.builder("agency.tool.execution")
                .description("Time to execute a tool")
                .tag("tool", tool)
                .register(meters)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A message that is safe to show: our own messages as they are, others by class only. */
    private static @Nullable String safeMessage(Throwable t, ErrorType type) {
        if (t instanceof AgencyException agency) {
            return agency.getMessage();
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof AgencyException agency) {
                return agency.getMessage();
            }
            if (c instanceof RestClientResponseException response) {
                return "the downstream service answered HTTP "
                        + response.getStatusCode().value();
            }
        }
        return switch (type) {
            case NETWORK -> "a network error occurred while running the tool";
            case SERVICE_UNAVAILABLE -> "a service the tool needs is unavailable";
            case RESOURCE_EXHAUSTED -> "a service the tool needs is overloaded";
            default -> "the tool failed unexpectedly";
        };
    }

    @Override
    public void destroy() {
        threads.shutdownNow();
    }

    /** The tool did not answer in time. */
    static final class ToolTimeout extends AgencyException {
        ToolTimeout(int timeoutMs) {
            super(ErrorType.NETWORK, "the tool did not answer within " + timeoutMs + " ms");
        }
    }

    /** The tool's bulkhead stayed full for the whole wait: the call is refused with {@link #refusal} (429). */
    static final class BulkheadFull extends RuntimeException {
        final int slots;
        final RateLimitedException refusal;

        BulkheadFull(int slots, RateLimitedException refusal) {
            super(refusal.getMessage(), null, false, false);
            this.slots = slots;
            this.refusal = refusal;
        }
    }

    /** The call was refused before reaching the tool (circuit open). */
    static final class Rejected extends AgencyException {
        Rejected(ErrorType type, String detail) {
            super(type, detail);
        }
    }
}
