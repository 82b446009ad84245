package ai.agency.gateway.ws;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.common.security.TokenRules;
import ai.agency.gateway.GatewayProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates the {@code /ws} handshake: a single-use ticket in {@code Sec-WebSocket-Protocol: agency.v1,
 * ticket.<ticket>} (redeemed once at auth-service for an access token) or {@code Authorization: Bearer <token>}.
 * auth-service is called through {@link ServiceClients} ({@code agency.clients.auth}) with a read timeout of its own.
 * The token is checked with the gateway's {@link JwtDecoder} and {@link TokenRules}. Refused handshakes get 401 (429 past the per-user
 * connection limit) and never reach the handler.
 */
@Component
class HandshakeAuth implements HandshakeInterceptor {

    static final String CALLER = "agency.caller";
    static final String TICKET_PREFIX = "ticket.";
    /** A slot frees when the user closes a connection: nothing to wait for but that, so a short hint. */
    static final long CONNECTION_RETRY_AFTER_SECONDS = 5;

    /** A handshake waits for auth-service at most this long (a browser gives up on a silent handshake soon). */
    static final Duration REDEEM_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(HandshakeAuth.class);

    private final JwtDecoder decoder;
    private final TokenRules rules;
    private final ConnectionRegistry registry;
    private final JsonMapper json;
    private final RestClient auth;
    private final int maxConnectionsPerUser;

    HandshakeAuth(
            JwtDecoder decoder,
            TokenRules rules,
            ConnectionRegistry registry,
            JsonMapper json,
            GatewayProperties properties,
            ServiceClients clients) {
        this.decoder = decoder;
        this.rules = rules;
        this.registry = registry;
        this.json = json;
        this.auth = clients.restClient("auth", REDEEM_TIMEOUT);
        this.maxConnectionsPerUser = properties.realtime().maxConnectionsPerUser();
    }

    @Override
    public boolean beforeHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler wsHandler,
            Map<String, Object> attributes) {
        String token = null;
        String ticket = ticketOf(request.getHeaders());
        if (ticket != null) {
            token = redeem(ticket);
        } else {
            String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                token = authorization.substring(7).strip();
            }
        }
        Caller caller = token == null ? null : verify(token);
        if (caller == null) {
            HandshakeRefusals.refuse(
                    request,
                    response,
                    HttpStatus.UNAUTHORIZED,
                    ErrorType.AUTHENTICATION,
                    "A valid access token or WebSocket ticket is required",
                    null);
            return false;
        }
        if (registry.openOf(caller.id()).size() >= maxConnectionsPerUser) {
            HandshakeRefusals.refuse(
                    request,
                    response,
                    HttpStatus.TOO_MANY_REQUESTS,
                    ErrorType.RATE_LIMIT,
                    "Too many open WebSocket connections (at most " + maxConnectionsPerUser
                            + "); close one and try again",
                    CONNECTION_RETRY_AFTER_SECONDS);
            return false;
        }
        attributes.put(CALLER, caller);
        return true;
    }

    @Override
    public void afterHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler wsHandler,
            @Nullable Exception exception) {}

    static @Nullable String ticketOf(HttpHeaders headers) {
        List<String> values = headers.getOrEmpty("Sec-WebSocket-Protocol");
        for (String value : values) {
            for (String protocol : value.split(",")) {
                String p = protocol.strip();
                if (p.startsWith(TICKET_PREFIX) && p.length() > TICKET_PREFIX.length()) {
                    return p.substring(TICKET_PREFIX.length());
                }
            }
        }
        return null;
    }

    private @Nullable Caller verify(String token) {
        try {
            Jwt jwt = decoder.decode(token);
            rules.check(jwt); // issuer, audience, not revoked: as for every REST request
            return Caller.of(jwt);
        } catch (RuntimeException e) { // JwtException, a broken rule, or a subject that is not a user id
            return null;
        }
    }

    private @Nullable String redeem(String ticket) {
        if (ticket.length() > 200) {
            return null;
        }
        try {
            String body = json.writeValueAsString(json.createObjectNode().put("ticket", ticket));
            ResponseEntity<String> answer = auth.post()
                    .uri("/api/v1/auth/ws-ticket/redeem")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(body)
                    .retrieve()
                    .onStatus(status -> true, (request, response) -> {}) // any status: judged below
                    .toEntity(String.class);
            if (answer.getStatusCode().value() != 200 || answer.getBody() == null) {
                return null;
            }
            JsonNode token = json.readTree(answer.getBody()).path("accessToken");
            return token.isString() ? token.asString() : null;
        } catch (RestClientException | AgencyException | JacksonException e) { // unreachable, slow, circuit open
            log.warn("WebSocket ticket redemption failed: {}", e.getMessage());
            return null;
        }
    }
}
