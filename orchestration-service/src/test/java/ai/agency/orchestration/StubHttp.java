package ai.agency.orchestration;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What the stub servers of these tests share: who a bearer token names, and JSON or problem answers. */
public final class StubHttp {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StubHttp() {}

    /**
     * The subject of a bearer token that has not expired, else {@code null} (signatures are not checked:
     * orchestration-service checks its own callers' tokens; the stubs stand for services that would).
     */
    public static String subject(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        String[] parts = authorization.substring(7).split("\\.");
        if (parts.length != 3) {
            return null;
        }
        JsonNode claims = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        if (claims.path("exp").asLong(Long.MAX_VALUE) <= Instant.now().getEpochSecond()) {
            return null; // expired: the real services answer 401
        }
        return claims.path("sub").asString();
    }

    /** A problem body as the platform's services write it. */
    public static String problem(int status, String errorType, String detail) {
        return JSON.writeValueAsString(
                Map.of("status", status, "errorType", errorType, "detail", detail, "title", "stub"));
    }

    /** Sends {@code body}: a problem from 400 on, JSON below. */
    public static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders()
                .add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
