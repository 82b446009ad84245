package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.common.security.ScopeRule;
import ai.agency.gateway.GatewayProperties;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The entry of every client message: the user's frame budget, the size limit, the envelope ({@code type}, {@code
 * id}) and the scope a type needs are checked here, then the frame goes to the handler of its type. A frame refused
 * here gets an {@code error} frame and the connection stays open. Counts every frame received by type.
 */
@Component
class FrameDispatcher {

    /** Frames that create or change something: they need the {@code write} scope, as their REST paths do. */
    static final Set<String> WRITE_FRAMES = Set.of("chat", "tool_call", "session.share");
    /** The frame types with a span of their own (a ping is not worth one). */
    static final Set<String> TRACED_FRAMES =
            Set.of("chat", "tool_call", "cancel", "resume", "session.share", "run.subscribe", "run.unsubscribe");

    private final RateLimiter rateLimiter;
    private final JsonMapper json;
    private final int maxFrameBytes;
    private final WsMetrics metrics;
    private final ErrorFrames errors;
    private final ChatFrames chats;
    private final ToolCallFrames toolCalls;
    private final CancelFrames cancels;
    private final ResumeFrames resumes;
    private final SessionShareFrames shares;
    private final RunSubscriptions runs;
    private final ObservationRegistry observations;

    FrameDispatcher(
            RateLimiter rateLimiter,
            JsonMapper json,
            GatewayProperties properties,
            WsMetrics metrics,
            ErrorFrames errors,
            ChatFrames chats,
            ToolCallFrames toolCalls,
            CancelFrames cancels,
            ResumeFrames resumes,
            SessionShareFrames shares,
            RunSubscriptions runs,
            ObservationRegistry observations) {
        this.observations = observations;
        this.rateLimiter = rateLimiter;
        this.json = json;
        this.maxFrameBytes = properties.realtime().maxFrameBytes();
        this.metrics = metrics;
        this.errors = errors;
        this.chats = chats;
        this.toolCalls = toolCalls;
        this.cancels = cancels;
        this.resumes = resumes;
        this.shares = shares;
        this.runs = runs;
    }

    /** One whole client message of {@code connection}, whose handshake authenticated {@code caller}. */
    void dispatch(Connection connection, @Nullable Caller caller, String payload) {
        ClientFrame frame = read(connection, payload);
        if (frame == null) {
            return;
        }
        if (WRITE_FRAMES.contains(frame.type()) && !mayWrite(caller)) {
            // scopes narrow roles here as on every REST path: a read-only key cannot chat, call tools or share
            errors.error(
                    connection,
                    frame.requestId(),
                    ErrorType.AUTHORIZATION.code(),
                    "This token's scopes do not include 'write', which " + frame.type() + " needs");
            return;
        }
        // each frame is a span of its own (a trace root: a WebSocket frame has no traceparent); its work on the
        // request threads and the downstream calls it makes are below it
        if (!TRACED_FRAMES.contains(frame.type())) {
            route(connection, caller, frame);
            return;
        }
        Observation.createNotStarted("agency.websocket.frame", observations)
                .contextualName("ws " + frame.type())
                .lowCardinalityKeyValue("frame.type", frame.type())
                .observe(() -> route(connection, caller, frame));
    }

    private void route(Connection connection, @Nullable Caller caller, ClientFrame frame) {
        switch (frame.type()) {
            case "ping" -> connection.send("pong", frame.requestId(), null);
            case "chat" -> chats.chat(connection, frame);
            case "tool_call" -> toolCalls.call(connection, frame);
            case "cancel" -> cancels.cancel(connection, frame);
            case "resume" -> resumes.resume(connection, frame);
            case "session.share" -> // a write frame: mayWrite saw the caller
                shares.share(connection, Objects.requireNonNull(caller), frame);
            case "run.subscribe" -> runs.subscribe(connection, frame);
            case "run.unsubscribe" -> runs.unsubscribe(connection, frame);
            default ->
                errors.error(
                        connection,
                        frame.requestId(),
                        ErrorType.VALIDATION.code(),
                        "Unknown frame type '" + frame.type() + "'");
        }
    }

    /**
     * The frame, or null after an {@code error} frame when it is over the user's budget, too large, not a JSON object,
     * or its {@code id} or {@code type} is unusable. The rate limit comes first, so a flood costs no parsing.
     */
    private @Nullable ClientFrame read(Connection connection, String payload) {
        if (!rateLimiter.tryAcquire(connection.userId())) {
            metrics.frameIn("rate_limited");
            errors.error(connection, null, "rate_limit", "Too many frames; slow down");
            return null;
        }
        if (payload == Connection.TOO_LARGE
                || payload.length() > maxFrameBytes
                || payload.getBytes(StandardCharsets.UTF_8).length > maxFrameBytes) {
            return invalid(connection, "Frame too large: at most " + maxFrameBytes + " bytes");
        }
        JsonNode frame;
        try {
            frame = json.readTree(payload);
        } catch (JacksonException e) {
            return invalid(connection, "Frame is not valid JSON");
        }
        if (frame == null || !frame.isObject()) {
            return invalid(connection, "Frame must be a JSON object");
        }
        JsonNode idNode = frame.get("id");
        String requestId = idNode == null || idNode.isNull() ? null : idNode.asString();
        if (requestId != null && requestId.length() > 200) {
            return invalid(connection, "id is too long");
        }
        String type = frame.path("type").isString() ? frame.path("type").asString() : null;
        metrics.frameIn(type);
        if (type == null) {
            errors.error(connection, requestId, ErrorType.VALIDATION.code(), "Frame needs a string 'type'");
            return null;
        }
        return new ClientFrame(type, requestId, frame);
    }

    /** A frame that cannot be read as a frame at all: counted as {@code invalid}, answered without a requestId. */
    private @Nullable ClientFrame invalid(Connection connection, String message) {
        metrics.frameIn(null);
        errors.error(connection, null, ErrorType.VALIDATION.code(), message);
        return null;
    }

    private static boolean mayWrite(@Nullable Caller caller) {
        return caller != null && caller.hasScope(ScopeRule.WRITE);
    }
}
