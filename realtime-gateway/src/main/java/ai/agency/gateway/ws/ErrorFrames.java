package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import java.net.ConnectException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code error} frames the frame handlers answer with, in one place so every frame type words them alike: a
 * refusal of the frame itself, a service's problem answer ({@code status}, and {@code retryAfter} when the service said
 * when to come back) and a call that failed before any answer.
 */
@Component
class ErrorFrames {

    private static final Logger log = LoggerFactory.getLogger(ErrorFrames.class);

    private final JsonMapper json;

    ErrorFrames(JsonMapper json) {
        this.json = json;
    }

    void error(Connection connection, @Nullable String requestId, String errorType, @Nullable String message) {
        connection.send(
                "error",
                requestId,
                json.createObjectNode().put("errorType", errorType).put("message", message));
    }

    /** A service refused the call (status not 2xx): its problem becomes the error frame. */
    void failed(Connection connection, @Nullable String requestId, Downstream.Answer answer) {
        connection.send("error", requestId, failure(answer));
    }

    /** The fields of an error frame for a service's refusal: {@code errorType, message, status, retryAfter?}. */
    ObjectNode failure(Downstream.Answer answer) {
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

    /** The call failed without an answer: a service that refused the connection is unavailable, else as classified. */
    void unavailable(Connection connection, @Nullable String requestId, Exception e) {
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
}
