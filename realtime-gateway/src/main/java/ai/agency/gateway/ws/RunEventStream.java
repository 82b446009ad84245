package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorType;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One {@code run.subscribe} at work: relays each event of the run's SSE stream as it arrives, as a frame whose {@code
 * type} is the event's name with {@code runId}, {@code eventId} and {@code data}, until the run's final event. A
 * subscription that ends otherwise (unsubscribed, refused, broken off) gets one last frame: {@code run.unsubscribed},
 * or an {@code error} with {@code runId}. Runs on one request thread, which also feeds it the events.
 */
final class RunEventStream implements Downstream.EventSink {

    private static final Logger log = LoggerFactory.getLogger(RunEventStream.class);
    /** The events after which a run's stream ends. */
    private static final Set<String> RUN_TERMINAL = Set.of("run.succeeded", "run.failed", "run.cancelled");
    /** The run states after which no event follows. */
    private static final Set<String> RUN_FINISHED = Set.of("succeeded", "failed", "cancelled");
    /** Run event names relayed as frame types. */
    private static final Pattern RUN_EVENT = Pattern.compile("(run|step)\\.[a-z_]{1,50}");

    private final Connection connection;
    private final @Nullable String requestId;
    private final String run;
    private final String key;
    private final @Nullable Long from;
    private final Downstream.Cancel cancel;
    private final Downstream downstream;
    private final ErrorFrames errors;
    private final JsonMapper json;
    private boolean ended;
    private @Nullable String lastEventId;

    RunEventStream(
            Connection connection,
            @Nullable String requestId,
            String run,
            @Nullable Long afterEventId,
            Downstream.Cancel cancel,
            Downstream downstream,
            ErrorFrames errors,
            JsonMapper json) {
        this.connection = connection;
        this.requestId = requestId;
        this.run = run;
        this.key = RunSubscriptions.RUN_KEY + run;
        this.from = afterEventId;
        this.cancel = cancel;
        this.downstream = downstream;
        this.errors = errors;
        this.json = json;
        this.lastEventId = afterEventId == null ? null : afterEventId.toString();
    }

    /** Follows the stream to its end, then ends the subscription unless its final event already did. */
    void relay() {
        try {
            Downstream.Answer refused = downstream.streamRunEvents(connection.token(), run, from, cancel, this);
            Thread.interrupted();
            if (!ended) {
                end(lastFrame(refused));
            }
        } catch (InterruptedException e) {
            Thread.interrupted();
            if (!ended) {
                end(unsubscribed());
            }
        } catch (IOException | RuntimeException e) {
            Thread.interrupted();
            if (!ended) {
                end(cancel.cancelled() ? unsubscribed() : broken(e));
            }
        } finally {
            connection.finished(key, cancel);
        }
    }

    @Override
    public void accept(Downstream.SseEvent event) {
        if (ended || cancel.cancelled() || !RUN_EVENT.matcher(event.event()).matches()) {
            return; // only run.* and step.* names become frames: no clash with protocol types
        }
        ObjectNode fields = json.createObjectNode().put("runId", run);
        if (event.id() != null && event.id().matches("[0-9]{1,18}")) {
            fields.put("eventId", Long.parseLong(event.id()));
        } else {
            fields.put("eventId", event.id());
        }
        fields.set("data", event.data());
        if (event.id() != null) {
            lastEventId = event.id();
        }
        boolean terminal = RUN_TERMINAL.contains(event.event());
        if (terminal) {
            ended = true;
            // ended before its last frame goes out: a subscribe right after it is not a duplicate
            connection.finished(key, cancel);
        }
        connection.send(event.event(), requestId, fields);
        if (terminal) {
            cancel.cancel(); // stop reading: the subscription is over
        }
    }

    /** The stream closed without the run's final event. */
    private ObjectNode lastFrame(Downstream.@Nullable Answer refused) throws IOException, InterruptedException {
        if (refused != null) {
            ObjectNode last = errors.failure(refused);
            last.put("runId", run);
            return last;
        }
        if (cancel.cancelled()) {
            return unsubscribed();
        }
        // orchestration ends the stream at once when the run is over and its final event is not after
        // Last-Event-ID: then the subscription is simply over; otherwise it ended early
        Downstream.Answer current = downstream.getRun(connection.token(), run, cancel);
        String status = current.ok() ? current.body().path("status").asString("") : "";
        return RUN_FINISHED.contains(status) ? unsubscribed().put("status", status) : endedEarly();
    }

    /** Reading the stream failed: orchestration unreachable, a bug of ours, or the stream broke off. */
    private ObjectNode broken(Exception e) {
        log.warn("Run subscription {} on connection {} failed: {}", run, connection.id(), e.toString());
        boolean refusedConnection = e instanceof ConnectException || e.getCause() instanceof ConnectException;
        if (!refusedConnection && !(e instanceof RuntimeException)) {
            return endedEarly();
        }
        return json.createObjectNode()
                .put("errorType", refusedConnection ? ErrorType.SERVICE_UNAVAILABLE.code() : ErrorType.INTERNAL.code())
                .put(
                        "message",
                        refusedConnection ? "A service is unavailable; try again" : "An unexpected error occurred")
                .put("runId", run);
    }

    /** The stream broke off before the run's final event: the client subscribes again after {@code lastEventId}. */
    private ObjectNode endedEarly() {
        ObjectNode fields = json.createObjectNode()
                .put("errorType", ErrorType.NETWORK.code())
                .put("message", "The run's event stream ended early; subscribe again with afterEventId = lastEventId")
                .put("runId", run);
        if (lastEventId != null && lastEventId.matches("[0-9]{1,18}")) {
            fields.put("lastEventId", Long.parseLong(lastEventId));
        } else {
            fields.putNull("lastEventId");
        }
        return fields;
    }

    private ObjectNode unsubscribed() {
        return json.createObjectNode().put("runId", run);
    }

    /**
     * The subscription's last frame ({@code run.unsubscribed} when it carries no {@code errorType}, else an {@code
     * error}): the subscription is removed first, so a subscribe sent after seeing it is neither a duplicate nor over
     * the cap.
     */
    private void end(ObjectNode last) {
        connection.finished(key, cancel);
        connection.send(last.has("errorType") ? "error" : "run.unsubscribed", requestId, last);
    }
}
