package ai.agency.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.security.Revocations;
import ai.agency.common.testsupport.TestJwts;
import com.sun.net.httpserver.HttpServer;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.client.RestClient;

/** The filter against a stub auth-service (a JDK HTTP server) that knows exactly one key. */
class ApiKeyExchangeFilterTest {

    static final String GOOD_KEY = "agk_" + "a".repeat(43);
    static final UUID OWNER = UUID.randomUUID();
    static final UUID KEY_ID = UUID.randomUUID();
    static final String JWT = TestJwts.create()
            .token(
                    OWNER,
                    List.of("viewer"),
                    List.of("read"),
                    Duration.ofMinutes(5),
                    Map.of("api_key_id", KEY_ID.toString(), "ver", 0));
    static final AtomicInteger exchanges = new AtomicInteger();
    static final HttpServer auth = startAuth();

    ApiKeyExchangeFilter filter;
    Revocations revocations;

    static HttpServer startAuth() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            server.createContext("/api/v1/auth/api-keys/exchange", exchange -> {
                exchanges.incrementAndGet();
                boolean good = GOOD_KEY.equals(exchange.getRequestHeaders().getFirst("X-API-Key"));
                byte[] body = (good
                                ? "{\"accessToken\":\"" + JWT + "\",\"tokenType\":\"Bearer\",\"expiresIn\":300}"
                                : "{\"status\":401,\"errorType\":\"authentication\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders()
                        .set("Content-Type", good ? "application/json" : "application/problem+json");
                exchange.sendResponseHeaders(good ? 200 : 401, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        auth.stop(0);
    }

    @BeforeEach
    void newFilter() {
        exchanges.set(0);
        revocations = Revocations.none();
        filter = new ApiKeyExchangeFilter(
                authClient("http://localhost:" + auth.getAddress().getPort()), Duration.ofMinutes(1), revocations);
    }

    /** auth-service's client as the gateway builds it: {@code agency.clients.auth}, the exchange's read timeout. */
    private static RestClient authClient(String baseUrl) {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("agency.clients.auth.base-url", baseUrl)
                .withProperty("agency.clients.auth.sliding-window-size", "2")
                .withProperty("agency.clients.auth.open-state-wait", "1h");
        ServiceClients clients = new ServiceClients(
                RestClient.builder(),
                environment,
                CircuitBreakerRegistry.ofDefaults(),
                BulkheadRegistry.ofDefaults(),
                RetryRegistry.ofDefaults());
        return clients.restClient("auth", Duration.ofSeconds(2));
    }

    private MockFilterChain run(MockHttpServletRequest request, MockHttpServletResponse response) throws Exception {
        MockFilterChain chain = new MockFilterChain();
        filter.doFilter(request, response, chain);
        return chain;
    }

    private static MockHttpServletRequest request() {
        return new MockHttpServletRequest("GET", "/api/v1/memories");
    }

    @Test
    void aBearerApiKeyIsForwardedAsTheExchangedJwt() throws Exception {
        MockHttpServletRequest request = request();
        request.addHeader("Authorization", "Bearer " + GOOD_KEY);
        MockHttpServletResponse response = new MockHttpServletResponse();

        MockFilterChain chain = run(request, response);

        HttpServletRequest forwarded = (HttpServletRequest) chain.getRequest();
        assertThat(forwarded.getHeader("Authorization")).isEqualTo("Bearer " + JWT);
        assertThat(Collections.list(forwarded.getHeaders("authorization"))).containsExactly("Bearer " + JWT);
        assertThat(Collections.list(forwarded.getHeaderNames())).containsOnlyOnce("Authorization");
    }

    @Test
    void anXApiKeyHeaderIsReplacedByTheJwtAndNotForwarded() throws Exception {
        MockHttpServletRequest request = request();
        request.addHeader("X-API-Key", GOOD_KEY);
        MockHttpServletResponse response = new MockHttpServletResponse();

        HttpServletRequest forwarded =
                (HttpServletRequest) run(request, response).getRequest();

        assertThat(forwarded.getHeader("Authorization")).isEqualTo("Bearer " + JWT);
        assertThat(forwarded.getHeader("X-API-Key")).isNull();
        assertThat(Collections.list(forwarded.getHeaderNames())).doesNotContain("X-API-Key");
    }

    @Test
    void theExchangedTokenIsCachedBriefly() throws Exception {
        for (int i = 0; i < 3; i++) {
            MockHttpServletRequest request = request();
            request.addHeader("X-API-Key", GOOD_KEY);
            run(request, new MockHttpServletResponse());
        }

        assertThat(exchanges.get()).isEqualTo(1);
    }

    /** Attack: keep using a deleted key while the gateway still holds the token it was exchanged for (60 s). */
    @Test
    void aCachedTokenOfADeletedKeyIsNeverUsedAgain() throws Exception {
        MockHttpServletRequest first = request();
        first.addHeader("X-API-Key", GOOD_KEY);
        assertThat(run(first, new MockHttpServletResponse()).getRequest()).isNotNull();
        assertThat(exchanges.get()).isEqualTo(1);

        revocations.apply(List.of(new Revocations.Revocation(1, OWNER, 0, KEY_ID, "api_key_revoked")));
        MockHttpServletRequest again = request();
        again.addHeader("X-API-Key", GOOD_KEY);
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = run(again, response);

        assertThat(chain.getRequest()).isNull();
        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(exchanges.get())
                .as("the cached token was dropped and the key checked again")
                .isEqualTo(2);
    }

    @Test
    void anUnknownKeyIsA401ProblemAndGoesNoFurther() throws Exception {
        MockHttpServletRequest request = request();
        request.addHeader("Authorization", "Bearer agk_unknown");
        MockHttpServletResponse response = new MockHttpServletResponse();

        MockFilterChain chain = run(request, response);

        assertThat(chain.getRequest()).isNull();
        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(response.getContentAsString()).contains("\"errorType\":\"authentication\"");
    }

    @Test
    void aKeyWithoutThePrefixInXApiKeyIsRefusedWithoutAsking() throws Exception {
        MockHttpServletRequest request = request();
        request.addHeader("X-API-Key", "not-a-key");
        MockHttpServletResponse response = new MockHttpServletResponse();

        run(request, response);

        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(exchanges.get()).isZero();
    }

    @Test
    void ordinaryBearerTokensAndAnonymousRequestsPassUntouched() throws Exception {
        MockHttpServletRequest withJwt = request();
        withJwt.addHeader("Authorization", "Bearer eyJhbGciOiJFUzI1NiJ9.x.y");
        MockHttpServletRequest anonymous = request();

        assertThat(run(withJwt, new MockHttpServletResponse()).getRequest()).isSameAs(withJwt);
        assertThat(run(anonymous, new MockHttpServletResponse()).getRequest()).isSameAs(anonymous);
        assertThat(exchanges.get()).isZero();
    }

    @Test
    void anUnreachableAuthServiceIsA503Problem() throws Exception {
        filter = new ApiKeyExchangeFilter(authClient("http://localhost:1"), Duration.ofMinutes(1), revocations);
        MockHttpServletRequest request = request();
        request.addHeader("X-API-Key", GOOD_KEY);
        MockHttpServletResponse response = new MockHttpServletResponse();

        run(request, response);

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getContentAsString()).contains("\"errorType\":\"service_unavailable\"");
    }

    @Test
    void onceAuthServicesCircuitIsOpenKeysAre503WithoutCallingIt() throws Exception {
        filter = new ApiKeyExchangeFilter(authClient("http://localhost:1"), Duration.ofMinutes(1), revocations);
        for (int i = 0; i < 2; i++) { // connection refused twice: the circuit (window of 2) opens
            MockHttpServletRequest request = request();
            request.addHeader("X-API-Key", GOOD_KEY);
            run(request, new MockHttpServletResponse());
        }
        MockHttpServletRequest request = request();
        request.addHeader("X-API-Key", GOOD_KEY);
        MockHttpServletResponse response = new MockHttpServletResponse();

        MockFilterChain chain = run(request, response);

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getContentAsString()).contains("\"errorType\":\"service_unavailable\"");
        assertThat(chain.getRequest()).as("the request went no further").isNull();
    }
}
