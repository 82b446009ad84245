package ai.agency.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.gateway.RealtimeTestSupport;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * REST limits through the real gateway (stub services behind it): the tool route is a class of 3 requests per hour,
 * its bodies may be 2 KB, and https://app.example.com may call the API from a browser.
 */
class RestLimitsTest extends RealtimeTestSupport {

    static final HttpClient http = HttpClient.newHttpClient();
    static final String TOOL = "/api/v1/tools/echo/execute";

    @Test
    void aUserGetsTheClassBudgetWithRateLimitHeadersThen429WithRetryAfter() throws Exception {
        String alice = JWTS.user(UUID.randomUUID());

        for (int remaining = 2; remaining >= 0; remaining--) {
            HttpResponse<String> ok = post(TOOL, "Bearer " + alice, "{\"parameters\":{}}");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("RateLimit-Limit")).hasValue("3");
            assertThat(ok.headers().firstValue("RateLimit-Remaining")).hasValue(Integer.toString(remaining));
            assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("3;w=3600");
            assertThat(Long.parseLong(ok.headers().firstValue("RateLimit-Reset").orElseThrow()))
                    .isPositive()
                    .isLessThanOrEqualTo(3600);
        }
        HttpResponse<String> refused = post(TOOL, "Bearer " + alice, "{\"parameters\":{}}");

        ProblemAssertions.assertProblem(
                refused.statusCode(),
                refused.headers().firstValue("Content-Type").orElse(null),
                refused.body(),
                429,
                "rate_limit");
        assertThat(refused.body()).contains("'tight'");
        long retryAfter =
                Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 1200L); // one token comes back every 20 minutes
        assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");

        // another user has a budget of their own, and alice's other routes are in another class
        assertThat(post(TOOL, "Bearer " + JWTS.user(UUID.randomUUID()), "{\"parameters\":{}}")
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> otherClass = get("/api/v1/sessions/" + UUID.randomUUID(), "Bearer " + alice);
        assertThat(otherClass.statusCode()).isEqualTo(404);
        assertThat(otherClass.headers().firstValue("RateLimit-Limit")).hasValue("600");
    }

    /** tool-service's MCP server is routed by the gateway like the REST API, and limited like it. */
    @Test
    void mcpIsRateLimitedAtTheGateway() throws Exception {
        String alice = "Bearer " + JWTS.user(UUID.randomUUID());
        String list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

        for (int remaining = 2; remaining >= 0; remaining--) {
            HttpResponse<String> passed = post("/mcp", alice, list);
            assertThat(passed.statusCode()).isNotEqualTo(429);
            assertThat(passed.headers().firstValue("RateLimit-Limit")).hasValue("3");
            assertThat(passed.headers().firstValue("RateLimit-Remaining")).hasValue(Integer.toString(remaining));
        }
        HttpResponse<String> refused = post("/mcp", alice, list);

        ProblemAssertions.assertProblem(
                refused.statusCode(),
                refused.headers().firstValue("Content-Type").orElse(null),
                refused.body(),
                429,
                "rate_limit");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        // the SSE stream (GET) and the REST tools API draw on the same budget: the tool route's class
        assertThat(get("/mcp", alice).statusCode()).isEqualTo(429);
        assertThat(post(TOOL, alice, "{\"parameters\":{}}").statusCode()).isEqualTo(429);
        // another caller has a budget of their own
        assertThat(post("/mcp", "Bearer " + JWTS.user(UUID.randomUUID()), list).statusCode())
                .isNotEqualTo(429);
    }

    @Test
    void anApiKeyHasABudgetOfItsOwn() throws Exception {
        UUID owner = UUID.randomUUID();
        String token = JWTS.user(owner);
        String key = "agk_" + UUID.randomUUID().toString().replace("-", "");
        API_KEYS.put(key, token);
        for (int i = 0; i < 3; i++) {
            assertThat(post(TOOL, "Bearer " + token, "{}").statusCode()).isEqualTo(200);
        }
        assertThat(post(TOOL, "Bearer " + token, "{}").statusCode()).isEqualTo(429);

        // the same user through an API key: a separate bucket, spent on its own
        for (int remaining = 2; remaining >= 0; remaining--) {
            HttpResponse<String> viaKey = post(TOOL, "Bearer " + key, "{}");
            assertThat(viaKey.statusCode()).isEqualTo(200);
            assertThat(viaKey.headers().firstValue("RateLimit-Remaining")).hasValue(Integer.toString(remaining));
        }
        HttpResponse<String> keyRefused = post(TOOL, "Bearer " + key, "{}");
        assertThat(keyRefused.statusCode()).isEqualTo(429);
        assertThat(keyRefused.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void bodiesOverTheRouteLimitAre413WhetherDeclaredOrChunked() throws Exception {
        String big = "{\"parameters\":{\"text\":\"" + "x".repeat(3000) + "\"}}";

        HttpResponse<String> declared = post(TOOL, "Bearer " + JWTS.user(UUID.randomUUID()), big);
        ProblemAssertions.assertProblem(
                declared.statusCode(),
                declared.headers().firstValue("Content-Type").orElse(null),
                declared.body(),
                413,
                "validation");
        assertThat(declared.body()).contains("too large").contains("2048 bytes");

        HttpRequest chunked = HttpRequest.newBuilder(uri(TOOL))
                .header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes())))
                .build();
        HttpResponse<String> streamed = http.send(chunked, HttpResponse.BodyHandlers.ofString());
        ProblemAssertions.assertProblem(
                streamed.statusCode(),
                streamed.headers().firstValue("Content-Type").orElse(null),
                streamed.body(),
                413,
                "validation");

        // under the limit, declared or chunked, the body goes through
        String small = "{\"parameters\":{\"text\":\"ok\"}}";
        assertThat(post(TOOL, "Bearer " + JWTS.user(UUID.randomUUID()), small).statusCode())
                .isEqualTo(200);
        HttpResponse<String> smallChunked = http.send(
                HttpRequest.newBuilder(uri(TOOL))
                        .header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID()))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(small.getBytes())))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(smallChunked.statusCode()).isEqualTo(200);
        assertThat(smallChunked.body()).contains("\"text\":\"ok\"");
    }

    @Test
    void corsAllowsOnlyTheConfiguredOrigins() throws Exception {
        HttpResponse<String> allowed = preflight("https://app.example.com");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods").orElse(""))
                .contains("POST");

        HttpResponse<String> foreign = preflight("https://evil.example.net");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        HttpResponse<String> actual = http.send(
                HttpRequest.newBuilder(uri("/api/v1/sessions/" + UUID.randomUUID()))
                        .header("Origin", "https://app.example.com")
                        .header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(actual.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(actual.headers().firstValue("Access-Control-Expose-Headers").orElse(""))
                .contains("RateLimit-Remaining")
                .contains("Retry-After");
    }

    private HttpResponse<String> preflight(String origin) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(TOOL))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", origin)
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "authorization,content-type")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpResponse<String> post(String path, String authorization, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Authorization", authorization)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Authorization", authorization)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
