package ai.agency.gateway.ws;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.gateway.GatewayProperties;
import ai.agency.gateway.session.SessionService;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code /ws} protocol of api.md: {@code ready}, {@code chat} (answered or streamed from orchestration-service
 * as it arrives), {@code tool_call}, {@code ping}, {@code cancel}, {@code resume}, {@code session.share}, and
 * {@code run.subscribe} / {@code run.unsubscribe} (a workflow run's events relayed as they happen). Bad frames
 * get an {@code error} frame and the connection stays open. Work runs on virtual threads, never on the socket's
 * thread ({@link RequestThreads}); heartbeat, replay log purge and graceful shutdown are {@link RealtimeLifecycle}'s.
 */
@Component
public class RealtimeHandler extends TextWebSocketHandler implements SubProtocolCapable {

    static final String PROTOCOL = "agency.v1";
    static final String CONNECTION = "agency.connection";
    private static final Logger log = LoggerFactory.getLogger(RealtimeHandler.class);
    /** The key of a {@code run.subscribe} among a connection's running requests: {@code run:<runId>}. */
    static final String RUN_KEY = "run:";
    /** The events after which a run's stream ends. */
    private static final Set<String> RUN_TERMINAL = Set.of("run.succeeded", "run.failed", "run.cancelled");
    /** The run states after which no event follows. */
    private static final Set<String> RUN_FINISHED = Set.of("succeeded", "failed", "cancelled");
    /** Frames that create or change something: they need the {@code write} scope, as their REST paths do. */
    static final java.util.Set<String> WRITE_FRAMES = java.util.Set.of("chat", "tool_call", "session.share");

    /** Run event names relayed as frame types. */
    private static final Pattern RUN_EVENT = Pattern.compile("(run|step)\\.[a-z_]{1,50}");

    private final ConnectionRegistry registry;
    private final ReplayLog replayLog;
    private final Downstream downstream;
    private final RateLimiter rateLimiter;
    private final SessionService sessions;
    private final JsonMapper json;
    private final GatewayProperties.Realtime settings;
    private final WsMetrics metrics;
    private final FrameRelay relay;
    private final RequestThreads work;
    private final RealtimeLifecycle lifecycle;

    RealtimeHandler(
            ConnectionRegistry registry,
            ReplayLog replayLog,
            Downstream downstream,
            RateLimiter rateLimiter,
            SessionService sessions,
            JsonMapper json,
            GatewayProperties properties,
            WsMetrics metrics,
            FrameRelay relay,
            RequestThreads work,
            RealtimeLifecycle lifecycle) {
        this.registry = registry;
        this.replayLog = replayLog;
        this.downstream = downstream;
        this.rateLimiter = rateLimiter;
        this.sessions = sessions;
        this.json = json;
        this.settings = properties.realtime();
        this.metrics = metrics;
        this.relay = relay;
        this.work = work;
        this.lifecycle = lifecycle;
    }

    /** Large messages arrive in parts, so the container needs no per-connection buffer of the frame limit's size. */
    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    @Override
    public List<String> getSubProtocols() {
        return List.of(PROTOCOL);
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        Caller caller = (Caller) session.getAttributes().get(HandshakeAuth.CALLER);
        if (!lifecycle.isRunning()) {
            close(session, CloseStatus.GOING_AWAY);
            return;
        }
        Connection connection = new Connection(
                caller.id(),
                caller.token(),
                session,
                (int) settings.sendTimeLimit().toMillis(),
                settings.sendBufferBytes(),
                replayLog,
                json,
                metrics);
        session.getAttributes().put(CONNECTION, connection);
        registry.add(connection);
        connection.send(
                "ready",
                null,
                json.createObjectNode()
                        .put("connectionId", connection.id().toString())
                        .put("userId", caller.id().toString())
                        .put("heartbeatSeconds", settings.heartbeatInterval().toSeconds()));
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Connection connection = (Connection) session.getAttributes().get(CONNECTION);
        if (connection == null) {
            return;
        }
        connection.markClosed();
        if (connection.running().isEmpty()) {
            registry.remove(connection);
        }
        // else: its streams keep running (and logging) for resume-grace, waiting for a resume
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        Connection connection = (Connection) session.getAttributes().get(CONNECTION);
        if (connection != null) {
            connection.pongReceived();
        }
    }

    private static boolean mayWrite(WebSocketSession session) {
        return session.getAttributes().get(HandshakeAuth.CALLER) instanceof Caller caller
                && caller.hasScope(ai.agency.common.security.ScopeRule.WRITE);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        Connection connection = (Connection) session.getAttributes().get(CONNECTION);
        if (connection == null) {
            return;
        }
        connection.ponged(); // any traffic shows the client is alive
        // the container hands over large messages in parts (its buffer is small, see WebSocketConfig)
        String payload = connection.assemble(message.getPayload(), message.isLast(), settings.maxFrameBytes());
        if (payload == null) {
            return; // more parts to come
        }
        if (!rateLimiter.tryAcquire(connection.userId())) {
            metrics.frameIn("rate_limited");
            error(connection, null, "rate_limit", "Too many frames; slow down");
            return;
        }
        if (payload == Connection.TOO_LARGE
                || payload.length() > settings.maxFrameBytes()
                || payload.getBytes(StandardCharsets.UTF_8).length > settings.maxFrameBytes()) {
            metrics.frameIn(null);
            error(
                    connection,
                    null,
                    ErrorType.VALIDATION.code(),
                    "Frame too large: at most " + settings.maxFrameBytes() + " bytes");
            return;
        }
        JsonNode frame;
        try {
            frame = json.readTree(payload);
        } catch (JacksonException e) {
            metrics.frameIn(null);
            error(connection, null, ErrorType.VALIDATION.code(), "Frame is not valid JSON");
            return;
        }
        if (frame == null || !frame.isObject()) {
            metrics.frameIn(null);
            error(connection, null, ErrorType.VALIDATION.code(), "Frame must be a JSON object");
            return;
        }
        JsonNode idNode = frame.get("id");
        String requestId = idNode == null || idNode.isNull() ? null : idNode.asString();
        if (requestId != null && requestId.length() > 200) {
            metrics.frameIn(null);
            error(connection, null, ErrorType.VALIDATION.code(), "id is too long");
            return;
        }
        String type = frame.path("type").isString() ? frame.path("type").asString() : null;
        metrics.frameIn(type);
        if (type == null) {
            error(connection, requestId, ErrorType.VALIDATION.code(), "Frame needs a string 'type'");
            return;
        }
        if (WRITE_FRAMES.contains(type) && !mayWrite(session)) {
            // scopes narrow roles here as on every REST path: a read-only key cannot chat, call tools or share
            error(
                    connection,
                    requestId,
                    ErrorType.AUTHORIZATION.code(),
                    "This token's scopes do not include 'write', which " + type + " needs");
            return;
        }
        switch (type) {
            case "ping" -> connection.send("pong", requestId, null);
            case "chat" -> chat(connection, requestId, frame);
            case "tool_call" -> toolCall(connection, requestId, frame);
            case "cancel" -> cancel(connection, requestId, frame);
            case "resume" -> resume(connection, requestId, frame);
            case "session.share" ->
                share(connection, (Caller) session.getAttributes().get(HandshakeAuth.CALLER), requestId, frame);
            case "run.subscribe" -> runSubscribe(connection, requestId, frame);
            case "run.unsubscribe" -> runUnsubscribe(connection, requestId, frame);
            default -> error(connection, requestId, ErrorType.VALIDATION.code(), "Unknown frame type '" + type + "'");
        }
    }

    private void chat(Connection connection, String requestId, JsonNode frame) {
        long receivedNanos = System.nanoTime();
        JsonNode content = frame.get("content");
        if (content == null || !content.isString() || content.asString().isBlank()) {
            error(connection, requestId, ErrorType.VALIDATION.code(), "chat needs a non-blank 'content'");
            return;
        }
        // it becomes part of the downstream path: anything but a UUID is refused here, never sent on
        JsonNode givenConversation = frame.get("conversationId");
        boolean conversationGiven = givenConversation != null && !givenConversation.isNull();
        UUID conversationUuid = conversationGiven ? uuid(frame, "conversationId") : null;
        if (conversationGiven && conversationUuid == null) {
            error(connection, requestId, ErrorType.VALIDATION.code(), "'conversationId' must be a UUID");
            return;
        }
        String conversationId = conversationUuid == null ? null : conversationUuid.toString();
        String agentId = optionalString(frame, "agentId");
        boolean stream = !frame.has("stream") || frame.get("stream").asBoolean(true);
        String key = requestId != null ? requestId : "chat-" + UUID.randomUUID();
        Downstream.Cancel cancel = new Downstream.Cancel();
        if (connection.running().putIfAbsent(key, cancel) != null) {
            error(connection, requestId, ErrorType.CONFLICT.code(), "A request with this id is still running");
            return;
        }
        work.submit(() -> {
            try {
                String conversation = conversationId;
                if (conversation == null) {
                    Downstream.Answer created = downstream.createConversation(connection.token(), agentId, cancel);
                    if (!created.ok()) {
                        failed(connection, requestId, created);
                        return;
                    }
                    conversation = created.body().path("id").asString();
                }
                if (stream) {
                    stream(connection, requestId, conversation, content.asString(), cancel, receivedNanos);
                } else {
                    Downstream.Answer answer =
                            downstream.sendMessage(connection.token(), conversation, content.asString(), cancel);
                    if (!answer.ok()) {
                        failed(connection, requestId, answer);
                        return;
                    }
                    JsonNode message = answer.body().path("message");
                    ObjectNode fields = json.createObjectNode()
                            .put("content", message.path("content").asString(""))
                            .put("conversationId", conversation);
                    copy(message, "id", fields, "messageId");
                    copy(message, "toolCalls", fields, "toolCalls");
                    copy(message, "memoriesUsed", fields, "memoriesUsed");
                    copy(answer.body(), "degraded", fields, "degraded"); // {skipped, reason}: a part did not run
                    connection.send("response", requestId, fields);
                }
            } catch (InterruptedException e) {
                Thread.interrupted();
                cancelled(connection, requestId, null);
            } catch (IOException | RuntimeException e) {
                Thread.interrupted();
                if (cancel.cancelled()) {
                    cancelled(connection, requestId, null);
                } else {
                    unavailable(connection, requestId, e);
                }
            } finally {
                connection.finished(key);
            }
        });
    }

    private void stream(
            Connection connection,
            String requestId,
            String conversationId,
            String content,
            Downstream.Cancel cancel,
            long receivedNanos)
            throws IOException, InterruptedException {
        AtomicReference<String> responseId = new AtomicReference<>();
        AtomicBoolean chunked = new AtomicBoolean();
        AtomicBoolean ended = new AtomicBoolean();
        Downstream.Answer refused = downstream.streamMessage(
                connection.token(), conversationId, content, settings.streamIdleTimeout(), cancel, event -> {
                    if (ended.get()) {
                        return;
                    }
                    JsonNode data = event.data();
                    switch (event.event()) {
                        case "start" -> {
                            responseId.set(data.path("messageId")
                                    .asString(UUID.randomUUID().toString()));
                            connection.send(
                                    "stream_start",
                                    requestId,
                                    json.createObjectNode()
                                            .put("responseId", responseId.get())
                                            .put("conversationId", conversationId));
                        }
                        case "token" -> {
                            connection.send(
                                    "stream_chunk",
                                    requestId,
                                    json.createObjectNode()
                                            .put("responseId", responseId.get())
                                            .put("content", data.path("text").asString("")));
                            if (chunked.compareAndSet(false, true)) {
                                metrics.firstChunk(receivedNanos);
                            }
                        }
                        case "end" -> {
                            ended.set(true);
                            ObjectNode fields = json.createObjectNode().put("responseId", responseId.get());
                            fields.set("usage", data.path("usage").isMissingNode() ? null : data.get("usage"));
                            connection.send("stream_end", requestId, fields);
                        }
                        case "error" -> {
                            ended.set(true);
                            ObjectNode fields = json.createObjectNode()
                                    .put("errorType", data.path("errorType").asString(ErrorType.INTERNAL.code()))
                                    .put("message", data.path("message").asString("The answer failed"))
                                    .put("responseId", responseId.get());
                            connection.send("error", requestId, fields);
                        }
                        case "degraded" -> {
                            // a part of the turn could not run (memory recall, a tool call): api.md's own frame
                            ObjectNode fields = json.createObjectNode().put("responseId", responseId.get());
                            fields.set("skipped", data.path("skipped").isArray() ? data.get("skipped") : null);
                            fields.put("reason", data.path("reason").asString(""));
                            connection.send("degraded", requestId, fields);
                        }
                        default -> {
                            // tool_call, tool_result, memory: relayed as they are
                            ObjectNode fields = json.createObjectNode()
                                    .put("responseId", responseId.get())
                                    .put("event", event.event());
                            fields.set("data", data);
                            connection.send("stream_event", requestId, fields);
                        }
                    }
                });
        Thread.interrupted();
        if (refused != null) {
            failed(connection, requestId, refused);
        } else if (!ended.get() && cancel.cancelled()) {
            cancelled(connection, requestId, responseId.get());
        } else if (!ended.get()) {
            error(connection, requestId, ErrorType.NETWORK.code(), "The answer stream ended early");
        }
    }

    private void cancelled(Connection connection, String requestId, String responseId) {
        ObjectNode fields =
                json.createObjectNode().put("responseId", responseId).put("cancelled", true);
        fields.putNull("usage");
        connection.send("stream_end", requestId, fields);
    }

    private void toolCall(Connection connection, String requestId, JsonNode frame) {
        String toolName = optionalString(frame, "toolName");
        if (toolName == null || !toolName.matches("[A-Za-z0-9_.-]{1,100}")) {
            error(connection, requestId, ErrorType.VALIDATION.code(), "tool_call needs a valid 'toolName'");
            return;
        }
        JsonNode parameters = frame.get("parameters");
        if (parameters != null && !parameters.isObject() && !parameters.isNull()) {
            error(connection, requestId, ErrorType.VALIDATION.code(), "'parameters' must be an object");
            return;
        }
        String key = requestId != null ? requestId : "tool-" + UUID.randomUUID();
        Downstream.Cancel cancel = new Downstream.Cancel();
        if (connection.running().putIfAbsent(key, cancel) != null) {
            error(connection, requestId, ErrorType.CONFLICT.code(), "A request with this id is still running");
            return;
        }
        work.submit(() -> {
            try {
                Downstream.Answer answer = downstream.executeTool(
                        connection.token(),
                        toolName,
                        parameters == null || parameters.isNull() ? null : parameters,
                        cancel);
                if (!answer.ok()) {
                    failed(connection, requestId, answer);
                    return;
                }
                ObjectNode fields = json.createObjectNode().put("toolName", toolName);
                fields.set("result", answer.body());
                connection.send("tool_result", requestId, fields);
            } catch (InterruptedException e) {
                Thread.interrupted();
                error(connection, requestId, "cancelled", "The tool call was cancelled");
            } catch (IOException | RuntimeException e) {
                Thread.interrupted();
                unavailable(connection, requestId, e);
            } finally {
                connection.finished(key);
            }
        });
    }

    private void cancel(Connection connection, String requestId, JsonNode frame) {
        String target = optionalString(frame, "requestId");
        if (target == null) {
            error(connection, requestId, ErrorType.VALIDATION.code(), "cancel needs 'requestId'");
            return;
        }
        Downstream.Cancel cancel = connection.running().get(target);
        if (cancel == null && relay.forwardCancel(connection, target)) {
            return; // it may run on the replica of the connection this one resumed: its stream_end comes from there
        }
        if (cancel == null || cancel.cancelled()) { // a cancelled request may still be finishing: it is not running
            error(connection, requestId, ErrorType.NOT_FOUND.code(), "No running request '" + target + "'");
            return;
        }
        cancel.cancel();
    }

    private void resume(Connection connection, String requestId, JsonNode frame) {
        String oldId = optionalString(frame, "connectionId");
        JsonNode afterNode = frame.get("afterSeq");
        UUID old;
        try {
            old = oldId == null ? null : UUID.fromString(oldId);
        } catch (IllegalArgumentException e) {
            old = null;
        }
        if (old == null || afterNode == null || !afterNode.canConvertToLong() || afterNode.asLong() < 0) {
            metrics.resume("invalid");
            error(
                    connection,
                    requestId,
                    ErrorType.VALIDATION.code(),
                    "resume needs 'connectionId' (a UUID) and 'afterSeq' (>= 0)");
            return;
        }
        if (old.equals(connection.id())) {
            metrics.resume("invalid");
            error(connection, requestId, ErrorType.VALIDATION.code(), "A connection cannot resume itself");
            return;
        }
        long afterSeq = afterNode.asLong();
        UUID oldConnectionId = old;
        UUID userId = connection.userId();
        Optional<Long> first = replayLog.firstSeq(oldConnectionId, userId);
        if (first.isEmpty() || first.get() > afterSeq + 1) {
            metrics.resume("expired");
            error(connection, requestId, "resume_expired", "That connection's frames are no longer kept; start afresh");
            return;
        }
        Connection local = registry.get(oldConnectionId);
        // "resumed" is sent right after the replayed frames, before any frame the stream produces afterwards
        java.util.function.IntConsumer resumed = replayed -> connection.send(
                "resumed",
                requestId,
                json.createObjectNode()
                        .put("connectionId", oldConnectionId.toString())
                        .put("replayed", replayed));
        if (local != null && local.userId().equals(userId)) {
            // same replica: replay and take over its running streams atomically, so no frame is lost or doubled
            connection.takeOver(local, () -> replayLog.after(oldConnectionId, userId, afterSeq), resumed);
            registry.remove(local);
            local.close(CloseStatus.NORMAL.withReason("resumed elsewhere"));
            metrics.resume("local");
        } else {
            // another replica (or none): replay from the log, then relay what the old connection still produces
            relay.follow(oldConnectionId, userId, connection, afterSeq, resumed);
            metrics.resume("remote");
        }
    }

    /** As {@code POST /api/v1/sessions/{id}/context}, with the same rules (in {@link SessionService#share}). */
    private void share(Connection connection, Caller caller, String requestId, JsonNode frame) {
        String sessionId = optionalString(frame, "sessionId");
        JsonNode context = frame.get("context");
        UUID id;
        try {
            id = sessionId == null ? null : UUID.fromString(sessionId);
        } catch (IllegalArgumentException e) {
            id = null;
        }
        if (id == null || context == null || !context.isObject()) {
            error(
                    connection,
                    requestId,
                    ErrorType.VALIDATION.code(),
                    "session.share needs 'sessionId' (a UUID) and 'context' (an object)");
            return;
        }
        UUID session = id;
        work.submit(() -> {
            try {
                sessions.share(caller, session, context);
                connection.send(
                        "session.shared", requestId, json.createObjectNode().put("sessionId", session.toString()));
            } catch (AgencyException e) {
                error(connection, requestId, e.errorType().code(), e.getMessage());
            } catch (RuntimeException e) {
                unavailable(connection, requestId, e);
            }
        });
    }

    // ---- workflow run events ----

    /**
     * {@code run.subscribe {runId, afterEventId?}}: follows orchestration's {@code GET /api/v1/runs/{id}/events} as
     * the connection's user and relays each event as it arrives as a frame whose {@code type} is the event's name
     * ({@code step.succeeded}, …) with {@code runId}, {@code eventId} and {@code data}. The subscription is a running
     * request of the connection under the key {@code run:<runId>}, so it is cancelled like a chat stream (unsubscribe,
     * resume-grace after a drop, graceful shutdown) and follows a resume.
     */
    private void runSubscribe(Connection connection, String requestId, JsonNode frame) {
        UUID runId = uuid(frame, "runId");
        if (runId == null) {
            error(connection, requestId, ErrorType.VALIDATION.code(), "run.subscribe needs 'runId' (a UUID)");
            return;
        }
        String run = runId.toString();
        JsonNode after = frame.get("afterEventId");
        Long afterEventId = null;
        if (after != null && !after.isNull()) {
            if (after.isIntegralNumber() && after.canConvertToLong() && after.asLong() >= 0) {
                afterEventId = after.asLong();
            } else if (after.isString() && after.asString().matches("[0-9]{1,18}")) {
                afterEventId = Long.parseLong(after.asString());
            } else {
                runError(
                        connection,
                        requestId,
                        run,
                        ErrorType.VALIDATION.code(),
                        "'afterEventId' must be an event id (an integer >= 0)");
                return;
            }
        }
        String key = RUN_KEY + run;
        if (connection.running().containsKey(key)) {
            runError(connection, requestId, run, ErrorType.CONFLICT.code(), "Already subscribed to run " + run);
            return;
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
            return;
        }
        Downstream.Cancel cancel = new Downstream.Cancel();
        if (connection.running().putIfAbsent(key, cancel) != null) {
            runError(connection, requestId, run, ErrorType.CONFLICT.code(), "Already subscribed to run " + run);
            return;
        }
        Long from = afterEventId;
        work.submit(() -> {
            AtomicBoolean ended = new AtomicBoolean();
            AtomicReference<String> lastEventId = new AtomicReference<>(from == null ? null : from.toString());
            try {
                Downstream.Answer refused = downstream.streamRunEvents(connection.token(), run, from, cancel, event -> {
                    if (ended.get()
                            || cancel.cancelled()
                            || !RUN_EVENT.matcher(event.event()).matches()) {
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
                        lastEventId.set(event.id());
                    }
                    boolean terminal = RUN_TERMINAL.contains(event.event());
                    if (terminal) {
                        ended.set(true);
                        // ended before its last frame goes out: a subscribe right after it is not a duplicate
                        connection.finished(key, cancel);
                    }
                    connection.send(event.event(), requestId, fields);
                    if (terminal) {
                        cancel.cancel(); // stop reading: the subscription is over
                    }
                });
                Thread.interrupted();
                if (!ended.get()) {
                    ObjectNode last;
                    if (refused != null) {
                        last = failure(refused);
                        last.put("runId", run);
                    } else if (cancel.cancelled()) {
                        last = unsubscribed(run);
                    } else {
                        // orchestration ends the stream at once when the run is over and its final event is not
                        // after Last-Event-ID: then the subscription is simply over; otherwise it ended early
                        Downstream.Answer current = downstream.getRun(connection.token(), run, cancel);
                        String status =
                                current.ok() ? current.body().path("status").asString("") : "";
                        if (RUN_FINISHED.contains(status)) {
                            last = unsubscribed(run).put("status", status);
                        } else {
                            last = endedEarly(run, lastEventId.get());
                        }
                    }
                    endRun(connection, requestId, key, cancel, last);
                }
            } catch (InterruptedException e) {
                Thread.interrupted();
                if (!ended.get()) {
                    endRun(connection, requestId, key, cancel, unsubscribed(run));
                }
            } catch (IOException | RuntimeException e) {
                Thread.interrupted();
                if (ended.get()) {
                    return;
                }
                if (cancel.cancelled()) {
                    endRun(connection, requestId, key, cancel, unsubscribed(run));
                } else {
                    log.warn("Run subscription {} on connection {} failed: {}", run, connection.id(), e.toString());
                    boolean refusedConnection =
                            e instanceof ConnectException || e.getCause() instanceof ConnectException;
                    endRun(
                            connection,
                            requestId,
                            key,
                            cancel,
                            refusedConnection || e instanceof RuntimeException
                                    ? json.createObjectNode()
                                            .put(
                                                    "errorType",
                                                    refusedConnection
                                                            ? ErrorType.SERVICE_UNAVAILABLE.code()
                                                            : ErrorType.INTERNAL.code())
                                            .put(
                                                    "message",
                                                    refusedConnection
                                                            ? "A service is unavailable; try again"
                                                            : "An unexpected error occurred")
                                            .put("runId", run)
                                    : endedEarly(run, lastEventId.get()));
                }
            } finally {
                connection.finished(key, cancel);
            }
        });
    }

    /** {@code run.unsubscribe {runId}}: closes the run's event stream; it ends with {@code run.unsubscribed}. */
    private void runUnsubscribe(Connection connection, String requestId, JsonNode frame) {
        UUID runId = uuid(frame, "runId");
        if (runId == null) {
            error(connection, requestId, ErrorType.VALIDATION.code(), "run.unsubscribe needs 'runId' (a UUID)");
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

    /** The stream broke off before the run's final event: the client subscribes again after {@code lastEventId}. */
    private ObjectNode endedEarly(String runId, String lastEventId) {
        ObjectNode fields = json.createObjectNode()
                .put("errorType", ErrorType.NETWORK.code())
                .put("message", "The run's event stream ended early; subscribe again with afterEventId = lastEventId")
                .put("runId", runId);
        if (lastEventId != null && lastEventId.matches("[0-9]{1,18}")) {
            fields.put("lastEventId", Long.parseLong(lastEventId));
        } else {
            fields.putNull("lastEventId");
        }
        return fields;
    }

    private ObjectNode unsubscribed(String runId) {
        return json.createObjectNode().put("runId", runId);
    }

    /**
     * The subscription's last frame ({@code run.unsubscribed} when it carries no {@code errorType}, else an {@code
     * error}): the subscription is removed first, so a subscribe sent after seeing it is neither a duplicate nor over
     * the cap.
     */
    private void endRun(
            Connection connection, String requestId, String key, Downstream.Cancel cancel, ObjectNode last) {
        connection.finished(key, cancel);
        connection.send(last.has("errorType") ? "error" : "run.unsubscribed", requestId, last);
    }

    private void runError(Connection connection, String requestId, String runId, String errorType, String message) {
        connection.send(
                "error",
                requestId,
                json.createObjectNode()
                        .put("errorType", errorType)
                        .put("message", message)
                        .put("runId", runId));
    }

    private static UUID uuid(JsonNode frame, String field) {
        String value = optionalString(frame, field);
        if (value == null || value.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void failed(Connection connection, String requestId, Downstream.Answer answer) {
        connection.send("error", requestId, failure(answer));
    }

    private ObjectNode failure(Downstream.Answer answer) {
        JsonNode body = answer.body();
        String errorType = body.path("errorType").isString()
                ? body.path("errorType").asString()
                : ErrorClassifier.classify(HttpStatusCode.valueOf(answer.status()))
                        .code();
        String message = body.path("detail").isString()
                ? body.path("detail").asString()
                : body.path("title").asString("The service answered " + answer.status());
        ObjectNode failure = json.createObjectNode()
                .put("errorType", errorType)
                .put("message", message)
                .put("status", answer.status());
        if (answer.retryAfterSeconds() != null) {
            // the service's Retry-After: when a shed turn (429) or a refusal of a service that is down may be retried
            failure.put("retryAfter", answer.retryAfterSeconds());
        }
        return failure;
    }

    private void unavailable(Connection connection, String requestId, Exception e) {
        ErrorType type = e instanceof ConnectException || e.getCause() instanceof ConnectException
                ? ErrorType.SERVICE_UNAVAILABLE
                : ErrorClassifier.classify(e);
        log.warn("Request {} on connection {} failed: {}", requestId, connection.id(), e.toString());
        error(
                connection,
                requestId,
                type.code(),
                type == ErrorType.INTERNAL ? "An unexpected error occurred" : "A service is unavailable; try again");
    }

    private void error(Connection connection, String requestId, String errorType, String message) {
        connection.send(
                "error",
                requestId,
                json.createObjectNode().put("errorType", errorType).put("message", message));
    }

    private static String optionalString(JsonNode frame, String field) {
        JsonNode node = frame.get(field);
        return node != null && node.isString() && !node.asString().isBlank() ? node.asString() : null;
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (value != null) {
            to.set(as, value);
        }
    }

    private static void close(WebSocketSession session, CloseStatus status) {
        try {
            session.close(status);
        } catch (IOException e) {
            // already gone
        }
    }
}
