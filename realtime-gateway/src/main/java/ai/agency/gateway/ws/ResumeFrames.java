package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorType;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code resume {connectionId, afterSeq}}: replays an earlier connection's frames after {@code afterSeq} from the
 * replay log, answers {@code resumed}, and continues its running streams here — taken over at once when the old
 * connection lived on this replica, followed through {@link FrameRelay} when it lived on another.
 */
@Component
class ResumeFrames {

    private final ConnectionRegistry registry;
    private final ReplayLog replayLog;
    private final FrameRelay relay;
    private final JsonMapper json;
    private final WsMetrics metrics;
    private final ErrorFrames errors;

    ResumeFrames(
            ConnectionRegistry registry,
            ReplayLog replayLog,
            FrameRelay relay,
            JsonMapper json,
            WsMetrics metrics,
            ErrorFrames errors) {
        this.registry = registry;
        this.replayLog = replayLog;
        this.relay = relay;
        this.json = json;
        this.metrics = metrics;
        this.errors = errors;
    }

    void resume(Connection connection, ClientFrame frame) {
        String requestId = frame.requestId();
        String oldId = frame.string("connectionId");
        JsonNode afterNode = frame.get("afterSeq");
        UUID old;
        try {
            old = oldId == null ? null : UUID.fromString(oldId);
        } catch (IllegalArgumentException e) {
            old = null;
        }
        if (old == null || afterNode == null || !afterNode.canConvertToLong() || afterNode.asLong() < 0) {
            metrics.resume("invalid");
            errors.error(
                    connection,
                    requestId,
                    ErrorType.VALIDATION.code(),
                    "resume needs 'connectionId' (a UUID) and 'afterSeq' (>= 0)");
            return;
        }
        if (old.equals(connection.id())) {
            metrics.resume("invalid");
            errors.error(connection, requestId, ErrorType.VALIDATION.code(), "A connection cannot resume itself");
            return;
        }
        long afterSeq = afterNode.asLong();
        Optional<Long> first = replayLog.firstSeq(old, connection.userId());
        if (first.isEmpty() || first.get() > afterSeq + 1) {
            metrics.resume("expired");
            errors.error(
                    connection,
                    requestId,
                    "resume_expired",
                    "That connection's frames are no longer kept; start afresh");
            return;
        }
        continueOn(connection, requestId, old, afterSeq);
    }

    /** Replays {@code old}'s frames after {@code afterSeq} on {@code connection}, then its streams go on there. */
    private void continueOn(Connection connection, @Nullable String requestId, UUID old, long afterSeq) {
        UUID userId = connection.userId();
        Connection local = registry.get(old);
        // "resumed" is sent right after the replayed frames, before any frame the stream produces afterwards
        IntConsumer resumed = replayed -> connection.send(
                "resumed",
                requestId,
                json.createObjectNode().put("connectionId", old.toString()).put("replayed", replayed));
        if (local != null && local.userId().equals(userId)) {
            // same replica: replay and take over its running streams atomically, so no frame is lost or doubled
            connection.takeOver(local, () -> replayLog.after(old, userId, afterSeq), resumed);
            registry.remove(local);
            local.close(CloseStatus.NORMAL.withReason("resumed elsewhere"));
            metrics.resume("local");
        } else {
            // another replica (or none): replay from the log, then relay what the old connection still produces
            relay.follow(old, userId, connection, afterSeq, resumed);
            metrics.resume("remote");
        }
    }
}
