package ai.agency.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.TestJwts;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway in front of a real stub downstream (a JDK HTTP server standing in for memory-service) and of a port
 * where nothing listens (standing in for a service that is down).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DatabaseTest
class GatewayRoutingTest {

    static final TestJwts JWTS = TestJwts.create();
    static final Map<String, String> seen = new ConcurrentHashMap<>();
    static final HttpServer downstream = startDownstream();
    static final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @TestConfiguration
    static class Tokens {
        @Bean
        JwtDecoder jwtDecoder() {
            return JWTS.decoder();
        }
    }

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        registry.add(
                "agency.gateway.routes.memory.uri",
                () -> "http://localhost:" + downstream.getAddress().getPort());
        registry.add("agency.gateway.routes.multimodal.uri", () -> "http://localhost:1"); // nothing listens there
        registry.add("agency.gateway.routes.auth.uri", () -> "http://localhost:1"); // nor for auth-service
    }

    @AfterAll
    static void stopDownstream() {
        downstream.stop(0);
    }

    @Test
    void bodiesStatusesAndHeadersPassThroughUnchanged() throws Exception {
        HttpResponse<String> response =
                send("POST", "/api/v1/memories?x=1", JWTS.user(UUID.randomUUID()), "{\"content\":\"hi\"}");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).isEqualTo("{\"echo\":{\"content\":\"hi\"}}");
        assertThat(response.headers().firstValue("X-Downstream")).hasValue("memory");
        assertThat(seen.get("path")).isEqualTo("/api/v1/memories");
        assertThat(seen.get("query")).isEqualTo("x=1");
        assertThat(seen.get("authorization")).startsWith("Bearer ");
    }

    @Test
    void theTraceIdReachesTheDownstreamAndComesBack() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/memories/abc"))
                .header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID()))
                .header("X-Request-Id", "trace-me-123")
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        // the gateway's request span names the trace (the client's X-Request-Id is a tag on it); the downstream gets
        // the same id and a traceparent whose parent is that span
        String traceId = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(traceId).matches("[0-9a-f]{32}");
        assertThat(seen.get("requestId")).isEqualTo(traceId);
        assertThat(seen.get("traceparent")).matches("00-" + traceId + "-[0-9a-f]{16}-01");
    }

    @Test
    void downstreamProblemsAreNotRewritten() throws Exception {
        HttpResponse<String> response = send("GET", "/api/v1/memories/problem", JWTS.user(UUID.randomUUID()), null);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).isEqualTo(PROBLEM);
    }

    @Test
    void aServiceThatIsDownIsA503Problem() throws Exception {
        HttpResponse<String> response = send("POST", "/api/v1/analyze/text", JWTS.user(UUID.randomUUID()), "{}");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(response.body())
                .contains("\"errorType\":\"service_unavailable\"")
                .doesNotContain("Exception");
    }

    @Test
    void routedPathsNeedAValidTokenButUnknownPathsAre404() throws Exception {
        assertThat(send("GET", "/api/v1/memories/abc", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/memories/abc", JWTS.foreign().user(UUID.randomUUID()), null)
                        .statusCode())
                .isEqualTo(401);
        HttpResponse<String> unknown = send("GET", "/api/v1/nope", null, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"errorType\":\"not_found\"");
    }

    @Test
    void publicAuthPathsNeedNoToken() throws Exception {
        // auth-service is not running in this test: the request gets past security and fails as unavailable
        HttpResponse<String> response = send("POST", "/api/v1/auth/login", null, "{}");
        assertThat(response.statusCode()).isIn(List.of(502, 503));
    }

    static final String PROBLEM =
            "{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"errorType\":\"conflict\",\"traceId\":\"t\"}";

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpServer startDownstream() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            server.createContext("/", exchange -> {
                seen.put("path", exchange.getRequestURI().getPath());
                seen.put("query", String.valueOf(exchange.getRequestURI().getQuery()));
                seen.put(
                        "authorization",
                        String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                seen.put(
                        "requestId", String.valueOf(exchange.getRequestHeaders().getFirst("X-Request-Id")));
                seen.put(
                        "traceparent",
                        String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
                byte[] answer;
                int status;
                if (exchange.getRequestURI().getPath().endsWith("/problem")) {
                    exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
                    answer = PROBLEM.getBytes(StandardCharsets.UTF_8);
                    status = 409;
                } else {
                    String received;
                    try (InputStream in = exchange.getRequestBody()) {
                        received = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.getResponseHeaders().set("X-Downstream", "memory");
                    answer = ("{\"echo\":" + (received.isEmpty() ? "null" : received) + "}")
                            .getBytes(StandardCharsets.UTF_8);
                    status = exchange.getRequestMethod().equals("POST") ? 201 : 200;
                }
                exchange.sendResponseHeaders(status, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
