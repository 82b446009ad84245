package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;

/**
 * A refused {@code /ws} handshake is a plain HTTP answer, so it carries a problem like every other 4xx: Spring's
 * refusals (no {@code Upgrade} header, unsupported version, a foreign origin) and ours (no or bad token, too many
 * connections) used to have an empty or plain-text body.
 */
final class HandshakeRefusals {

    private HandshakeRefusals() {}

    static void refuse(
            ServerHttpRequest request,
            ServerHttpResponse response,
            HttpStatus status,
            ErrorType type,
            String detail,
            @Nullable Long retryAfterSeconds) {
        ProblemDetail problem =
                Problems.of(status, type, detail, request.getURI().getPath(), null);
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (retryAfterSeconds != null) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        try {
            response.getBody().write(Problems.toJson(problem).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the client is gone: the status is all it would have read
        }
    }

    /** Spring's handshake checks, answered with a problem. */
    static final class ProblemHandshakeHandler extends DefaultHandshakeHandler {

        @Override
        protected void handleInvalidUpgradeHeader(ServerHttpRequest request, ServerHttpResponse response) {
            refuse(
                    request,
                    response,
                    HttpStatus.BAD_REQUEST,
                    ErrorType.VALIDATION,
                    "A WebSocket handshake needs 'Upgrade: websocket'",
                    null);
        }

        @Override
        protected void handleInvalidConnectHeader(ServerHttpRequest request, ServerHttpResponse response) {
            refuse(
                    request,
                    response,
                    HttpStatus.BAD_REQUEST,
                    ErrorType.VALIDATION,
                    "A WebSocket handshake needs 'Connection: Upgrade'",
                    null);
        }

        @Override
        protected void handleWebSocketVersionNotSupported(ServerHttpRequest request, ServerHttpResponse response) {
            // headers first: once the body is written they are sent
            response.getHeaders().set("Sec-WebSocket-Version", String.join(", ", getSupportedVersions()));
            refuse(
                    request,
                    response,
                    HttpStatus.UPGRADE_REQUIRED,
                    ErrorType.VALIDATION,
                    "Only WebSocket version 13 is supported",
                    null);
        }
    }

    /** The allowed-origins check, answered with a problem. */
    static final class ProblemOriginInterceptor extends OriginHandshakeInterceptor {

        ProblemOriginInterceptor(List<String> allowedOriginPatterns) {
            setAllowedOriginPatterns(allowedOriginPatterns);
        }

        @Override
        public boolean beforeHandshake(
                ServerHttpRequest request,
                ServerHttpResponse response,
                WebSocketHandler wsHandler,
                Map<String, Object> attributes)
                throws Exception {
            if (super.beforeHandshake(request, response, wsHandler, attributes)) {
                return true;
            }
            refuse(
                    request,
                    response,
                    HttpStatus.FORBIDDEN,
                    ErrorType.AUTHORIZATION,
                    "WebSocket connections from this origin are not allowed",
                    null);
            return false;
        }
    }
}
