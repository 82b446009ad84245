package ai.agency.gateway.ws;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.gateway.session.SessionService;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code session.share {sessionId, context}}: as {@code POST /api/v1/sessions/{id}/context}, with the same rules (one
 * method, {@link SessionService#share}, given the handshake's caller); acknowledged with {@code session.shared}.
 */
@Component
class SessionShareFrames {

    private final SessionService sessions;
    private final JsonMapper json;
    private final ErrorFrames errors;
    private final RequestThreads threads;

    SessionShareFrames(SessionService sessions, JsonMapper json, ErrorFrames errors, RequestThreads threads) {
        this.sessions = sessions;
        this.json = json;
        this.errors = errors;
        this.threads = threads;
    }

    void share(Connection connection, Caller caller, ClientFrame frame) {
        String requestId = frame.requestId();
        String sessionId = frame.string("sessionId");
        JsonNode context = frame.get("context");
        UUID id;
        try {
            id = sessionId == null ? null : UUID.fromString(sessionId);
        } catch (IllegalArgumentException e) {
            id = null;
        }
        if (id == null || context == null || !context.isObject()) {
            errors.error(
                    connection,
                    requestId,
                    ErrorType.VALIDATION.code(),
                    "session.share needs 'sessionId' (a UUID) and 'context' (an object)");
            return;
        }
        UUID session = id;
        threads.submit(() -> {
            try {
                sessions.share(caller, session, context);
                connection.send(
                        "session.shared", requestId, json.createObjectNode().put("sessionId", session.toString()));
            } catch (AgencyException e) {
                errors.error(connection, requestId, e.errorType().code(), e.getMessage());
            } catch (RuntimeException e) {
                errors.unavailable(connection, requestId, e);
            }
        });
    }
}
