package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorType;
import ai.agency.gateway.GatewayProperties;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code run.subscribe {runId, afterEventId?}} and {@code run.unsubscribe {runId}}: a workflow run's events relayed
 * on the socket ({@link RunEventStream}). A subscription is a running request of the connection under the key {@code
 * run:<runId>}, so it is cancelled like a chat stream (unsubscribe, resume-grace after a drop, graceful shutdown) and
 * follows a resume.
 */
@Component
class RunSubscriptions {

    /** The key of a {@code run.subscribe} among a connection's running requests: {@code run:<runId>}. */
    static final String RUN_KEY = "run:";
    /** What {@link #afterEventId} answers for a value that is no event id (valid ones are never negative). */
    private static final long INVALID = -1;

    private final Downstream downstream;
    private final FrameRelay relay;
    private final JsonMapper json;
    private final GatewayProperties.Realtime settings;
    private final ErrorFrames errors;
    private final RequestThreads threads;

    RunSubscriptions(
            Downstream downstream,
            FrameRelay relay,
            JsonMapper json,
            GatewayProperties properties,
            ErrorFrames errors,
            RequestThreads threads) {
        this.downstream = downstream;
        this.relay = relay;
        this.json = json;
        this.settings = properties.realtime();
        this.errors = errors;
        this.threads = threads;
    }

    /** Follows orchestration's {@code GET /api/v1/runs/{id}/events} as the connection's user. */
    void subscribe(Connection connection, ClientFrame frame) {
        String requestId = frame.requestId();
        UUID runId = frame.uuid("runId");
        if (runId == null) {
            errors.error(connection, requestId, ErrorType.VALIDATION.code(), "run.subscribe needs 'runId' (a UUID)");
            return;
        }
        String run = runId.toString();
        Long afterEventId = afterEventId(frame.get("afterEventId"));
        if (afterEventId != null && afterEventId == INVALID) {
            runError(
                    connection,
                    requestId,
                    run,
                    ErrorType.VALIDATION.code(),
                    "'afterEventId' must be an event id (an integer >= 0)");
            return;
        }
        Downstream.Cancel cancel = admit(connection, requestId, run);
        if (cancel == null) {
            return;
        }
        RunEventStream stream =
                new RunEventStream(connection, requestId, run, afterEventId, cancel, downstream, errors, json);
        threads.submit(stream::relay);
    }

    /** Closes the run's event stream; the subscription ends with {@code run.unsubscribed}. */
    void unsubscribe(Connection connection, ClientFrame frame) {
        String requestId = frame.requestId();
        UUID runId = frame.uuid("runId");
        if (runId == null) {
            errors.error(connection, requestId, ErrorType.VALIDATION.code(), "run.unsubscribe needs 'runId' (a UUID)");
            return;
        }
        String key = RUN_KEY + runId;
        Downstream.Cancel cancel = connection.running().get(key);
        if (cancel == null && relay.forwardCancel(connection, key)) {
            return; // it may run on the replica of the connection this one resumed: its run.unsubscribed comes from
            // there
        }
        if (cancel == null || cancel.cancelled()) {
            runError(
                    connection,
                    requestId,
                    runId.toString(),
                    ErrorType.NOT_FOUND.code(),
                    "Not subscribed to run " + runId);
            return;
        }
        cancel.cancel();
    }

    /** {@code afterEventId}: null when absent, the id (a number or a string of digits), or {@link #INVALID}. */
    private static @Nullable Long afterEventId(JsonNode after) {
        if (after == null || after.isNull()) {
            return null;
        }
        if (after.isIntegralNumber() && after.canConvertToLong() && after.asLong() >= 0) {
            return after.asLong();
        }
        if (after.isString() && after.asString().matches("[0-9]{1,18}")) {
            return Long.parseLong(after.asString());
        }
        return INVALID;
    }

    /**
     * Registers the subscription among the connection's running requests; null (after an error frame) for a run
     * already followed or past {@code max-run-subscriptions}.
     */
    private Downstream.@Nullable Cancel admit(Connection connection, @Nullable String requestId, String run) {
        String key = RUN_KEY + run;
        if (connection.running().containsKey(key)) {
            runError(connection, requestId, run, ErrorType.CONFLICT.code(), "Already subscribed to run " + run);
            return null;
        }
        long open = connection.running().keySet().stream()
                .filter(k -> k.startsWith(RUN_KEY))
                .count();
        if (open >= settings.maxRunSubscriptions()) {
            runError(
                    connection,
                    requestId,
                    run,
                    ErrorType.RATE_LIMIT.code(),
                    "At most " + settings.maxRunSubscriptions()
                            + " run subscriptions per connection; unsubscribe from one first");
            return null;
        }
        Downstream.Cancel cancel = new Downstream.Cancel();
        if (connection.running().putIfAbsent(key, cancel) != null) {
            runError(connection, requestId, run, ErrorType.CONFLICT.code(), "Already subscribed to run " + run);
            return null;
        }
        return cancel;
    }

    private void runError(
            Connection connection, @Nullable String requestId, String runId, String errorType, String message) {
        connection.send(
                "error",
                requestId,
                json.createObjectNode()
                        .put("errorType", errorType)
                        .put("message", message)
                        .put("runId", runId));
    }
}
