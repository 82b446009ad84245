package ai.agency.common.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.trace.TraceIds;
import com.sun.net.httpserver.HttpServer;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.annotation.PostExchange;

/** Clients built by {@link ServiceClients} against a real HTTP server: retry, circuit breaker, bulkhead, relay. */
class ServiceClientsTest {

    @HttpExchange("/items")
    interface ItemClient {

        @GetExchange("/{id}")
        String get(@PathVariable String id);

        @PostExchange(contentType = "application/json")
        String create(@RequestBody String json);
    }

    /** What the server saw of one request. */
    record Seen(String method, String path, Map<String, List<String>> headers) {

        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService serverThreads = Executors.newCachedThreadPool();
    private volatile Responder responder = (exchange, call) -> respond(exchange, 200, "{\"id\":\"1\"}");
    private HttpServer server;
    private ServiceClients clients;
    private final CircuitBreakerRegistry circuitBreakers = CircuitBreakerRegistry.ofDefaults();

    @FunctionalInterface
    interface Responder {
        void answer(com.sun.net.httpserver.HttpExchange exchange, int call) throws IOException;
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            arrivals.add(System.nanoTime());
            seen.add(new Seen(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders())));
            exchange.getRequestBody().readAllBytes();
            responder.answer(exchange, calls.incrementAndGet());
        });
        server.start();
        String baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();

        MockEnvironment environment = new MockEnvironment()
                .withProperty("agency.clients.items.base-url", baseUrl)
                .withProperty("agency.clients.items.max-attempts", "3")
                .withProperty("agency.clients.items.initial-backoff", "10ms")
                .withProperty("agency.clients.flaky.base-url", baseUrl)
                .withProperty("agency.clients.flaky.max-attempts", "1")
                .withProperty("agency.clients.flaky.sliding-window-size", "4")
                .withProperty("agency.clients.flaky.failure-rate-threshold", "50")
                .withProperty("agency.clients.flaky.open-state-wait", "1h")
                .withProperty("agency.clients.brief.base-url", baseUrl)
                .withProperty("agency.clients.brief.max-attempts", "1")
                .withProperty("agency.clients.brief.sliding-window-size", "4")
                .withProperty("agency.clients.brief.failure-rate-threshold", "50")
                .withProperty("agency.clients.brief.open-state-wait", "200ms")
                .withProperty("agency.clients.slow.base-url", baseUrl)
                .withProperty("agency.clients.slow.max-attempts", "1")
                .withProperty("agency.clients.slow.read-timeout", "300ms")
                .withProperty("agency.clients.narrow.base-url", baseUrl)
                .withProperty("agency.clients.narrow.max-concurrent-calls", "1")
                .withProperty("agency.clients.narrow.max-wait", "0ms");
        clients = new ServiceClients(
                RestClient.builder(),
                environment,
                circuitBreakers,
                BulkheadRegistry.ofDefaults(),
                RetryRegistry.ofDefaults());
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
        SecurityContextHolder.clearContext();
        MDC.remove(TraceIds.MDC_KEY);
    }

    @Test
    void openConnectionsProbesEachBuiltDownstreamOnceWithoutTouchingItsCircuit() throws IOException {
        String baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        clients.create("items", ItemClient.class);
        clients.httpClient("flaky");
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        MockEnvironment down =
                new MockEnvironment().withProperty("agency.clients.down.base-url", "http://127.0.0.1:" + closedPort);
        ServiceClients unreachable = new ServiceClients(
                RestClient.builder(), down, circuitBreakers, BulkheadRegistry.ofDefaults(), RetryRegistry.ofDefaults());
        unreachable.create("down", ItemClient.class);

        assertThat(clients.openConnections(Duration.ofSeconds(2))).containsExactly(baseUrl);
        assertThat(seen)
                .extracting(Seen::method, Seen::path)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("GET", "/actuator/health/liveness"),
                        org.assertj.core.groups.Tuple.tuple("GET", "/actuator/health/liveness"));
        assertThat(unreachable.openConnections(Duration.ofSeconds(2))).isEmpty();
        assertThat(circuitBreakers.circuitBreaker("down").getMetrics().getNumberOfFailedCalls())
                .isZero();
    }

    @Test
    void getIsRetriedAfterA503AndThenSucceeds() {
        responder = (exchange, call) -> respond(exchange, call == 1 ? 503 : 200, "{\"id\":\"7\"}");

        String item = clients.create("items", ItemClient.class).get("7");

        assertThat(item).isEqualTo("{\"id\":\"7\"}");
        assertThat(seen)
                .hasSize(2)
                .allSatisfy(request -> assertThat(request.path()).isEqualTo("/items/7"));
    }

    @Test
    void getGivesUpAfterMaxAttemptsWithAServiceUnavailableFailure() {
        responder = (exchange, call) -> respond(exchange, 503, "{}");

        Throwable failure =
                catchThrowable(() -> clients.create("items", ItemClient.class).get("7"));

        assertThat(failure).isInstanceOf(HttpServerErrorException.ServiceUnavailable.class);
        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
        assertThat(seen).hasSize(3);
    }

    @Test
    void postIsNeverRetriedOn503() {
        responder = (exchange, call) -> respond(exchange, 503, "{}");

        Throwable failure =
                catchThrowable(() -> clients.create("items", ItemClient.class).create("{\"a\":1}"));

        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst().method()).isEqualTo("POST");
    }

    @Test
    void clientErrorsAndInternalErrorsAreNotRetried() {
        responder = (exchange, call) -> respond(exchange, call == 1 ? 404 : 500, "{}");
        ItemClient client = clients.create("items", ItemClient.class);

        Throwable notFound = catchThrowable(() -> client.get("1"));
        Throwable internal = catchThrowable(() -> client.get("2"));

        assertThat(ErrorClassifier.classify(notFound)).isEqualTo(ErrorType.NOT_FOUND);
        assertThat(ErrorClassifier.classify(internal)).isEqualTo(ErrorType.INTERNAL);
        assertThat(seen).extracting(Seen::path).containsExactly("/items/1", "/items/2");
    }

    @Test
    void openCircuitFailsFastWithServiceUnavailableWithoutReachingTheServer() {
        responder = (exchange, call) -> respond(exchange, 503, "{}");
        ItemClient client = clients.create("flaky", ItemClient.class);
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> client.get("1")).isInstanceOf(HttpServerErrorException.class);
        }
        assertThat(seen).hasSize(4);

        Throwable failure = catchThrowable(() -> client.get("1"));

        assertThat(failure).isInstanceOf(AgencyException.class);
        assertThat(((AgencyException) failure).errorType()).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
        assertThat(((AgencyException) failure).status().value()).isEqualTo(503);
        assertThat(failure).hasMessageContaining("flaky");
        assertThat(seen).hasSize(4);
    }

    @Test
    void aCircuitThatNoCallTriesAgainDoesNotStayOpenAfterItsWait() throws InterruptedException {
        // chaos scenario memory-kill: tool-service's memory circuit opened while memory-service was down; after its
        // restart no call came (recall worked again, the model stopped calling search_memory), and the circuit showed
        // "open" for a healthy service until the next call — minutes, on every dashboard and alert
        responder = (exchange, call) -> respond(exchange, 503, "{}");
        ItemClient client = clients.create("brief", ItemClient.class);
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> client.get("1")).isInstanceOf(HttpServerErrorException.class);
        }
        assertThat(circuitBreakers.circuitBreaker("brief").getState()).isEqualTo(CircuitBreaker.State.OPEN);

        Thread.sleep(1_000);

        assertThat(circuitBreakers.circuitBreaker("brief").getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    }

    @Test
    void aServiceSheddingLoadWith429sAnd503sWithRetryAfterDoesNotOpenTheCircuit() {
        responder = (exchange, call) -> {
            exchange.getResponseHeaders().set("Retry-After", "1");
            respond(exchange, call % 2 == 0 ? 429 : 503, "{}");
        };
        ItemClient client = clients.create("flaky", ItemClient.class); // window 4, 50 %, no retry
        for (int i = 0; i < 8; i++) {
            assertThat(catchThrowable(() -> client.get("1"))).isInstanceOf(HttpStatusCodeException.class);
        }
        responder = (exchange, call) -> respond(exchange, 200, "{\"id\":\"1\"}");

        assertThat(client.get("1")).isEqualTo("{\"id\":\"1\"}");
        assertThat(seen).hasSize(9);
    }

    @Test
    void anIdempotentCallWaitsAShortRetryAfterBeforeItsRetry() {
        responder = (exchange, call) -> {
            if (call == 1) {
                exchange.getResponseHeaders().set("Retry-After", "1");
                respond(exchange, 503, "{}");
            } else {
                respond(exchange, 200, "{\"id\":\"7\"}");
            }
        };

        assertThat(clients.create("items", ItemClient.class).get("7")).isEqualTo("{\"id\":\"7\"}");

        assertThat(arrivals).hasSize(2);
        assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void aLongRetryAfterIsNotWaitedForAndAPostIsNeverRetried() {
        responder = (exchange, call) -> {
            exchange.getResponseHeaders().set("Retry-After", call == 1 ? "30" : "1");
            respond(exchange, call == 1 ? 503 : 429, "{}");
        };
        ItemClient client = clients.create("items", ItemClient.class);

        Throwable busy = catchThrowable(() -> client.get("1"));
        Throwable limited = catchThrowable(() -> client.create("{}"));

        assertThat(ErrorClassifier.classify(busy)).isEqualTo(ErrorType.SERVICE_UNAVAILABLE);
        assertThat(ErrorClassifier.classify(limited)).isEqualTo(ErrorType.RATE_LIMIT);
        assertThat(seen).extracting(Seen::method).containsExactly("GET", "POST");
    }

    @Test
    void fullBulkheadFailsFastWithResourceExhausted() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        responder = (exchange, call) -> {
            if (call == 1) {
                entered.countDown();
                awaitRelease();
            }
            respond(exchange, 200, "{}");
        };
        ItemClient client = clients.create("narrow", ItemClient.class);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> client.get("1"));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        Throwable failure = catchThrowable(() -> client.get("2"));

        assertThat(failure).isInstanceOf(AgencyException.class);
        assertThat(((AgencyException) failure).errorType()).isEqualTo(ErrorType.RESOURCE_EXHAUSTED);
        assertThat(seen).extracting(Seen::path).containsExactly("/items/1");
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("{}");
    }

    @Test
    void callersBearerTokenAndTraceIdReachTheServer() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Jwt jwt = Jwt.withTokenValue("caller-access-token")
                .header("alg", "ES256")
                .subject("7a1f0a34-52f4-4a4b-9a5c-0b9e3a1d2c11")
                .build();
        SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(jwt));
        MDC.put(TraceIds.MDC_KEY, traceId);

        clients.create("items", ItemClient.class).get("1");

        Seen request = seen.getFirst();
        assertThat(request.header("Authorization")).isEqualTo("Bearer caller-access-token");
        assertThat(request.header("X-Request-Id")).isEqualTo(traceId);
        assertThat(request.header("traceparent")).matches("00-" + traceId + "-[0-9a-f]{16}-01");
    }

    @Test
    void nonW3cTraceIdIsRelayedAsRequestIdOnly() {
        MDC.put(TraceIds.MDC_KEY, "client-req-9");

        clients.create("items", ItemClient.class).get("1");

        assertThat(seen.getFirst().header("X-Request-Id")).isEqualTo("client-req-9");
        assertThat(seen.getFirst().header("traceparent")).isNull();
    }

    @Test
    void explicitAuthorizationIsNotReplacedByTheCallersToken() {
        Jwt jwt = Jwt.withTokenValue("caller-access-token")
                .header("alg", "ES256")
                .subject("7a1f0a34-52f4-4a4b-9a5c-0b9e3a1d2c11")
                .build();
        SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(jwt));

        clients.restClient("items")
                .get()
                .uri("/items/1")
                .header("Authorization", "Bearer service-token")
                .retrieve()
                .toBodilessEntity();

        assertThat(seen.getFirst().header("Authorization")).isEqualTo("Bearer service-token");
    }

    @Test
    void withoutCallerOrTraceNoSuchHeadersAreSent() {
        clients.create("items", ItemClient.class).get("1");

        assertThat(seen.getFirst().header("Authorization")).isNull();
        assertThat(seen.getFirst().header("X-Request-Id")).isNull();
        assertThat(seen.getFirst().header("traceparent")).isNull();
    }

    @Test
    void readTimeoutIsANetworkFailure() {
        responder = (exchange, call) -> {
            awaitRelease();
            respond(exchange, 200, "{}");
        };

        Throwable failure =
                catchThrowable(() -> clients.create("slow", ItemClient.class).get("1"));

        assertThat(failure).isInstanceOf(ResourceAccessException.class);
        assertThat(ErrorClassifier.classify(failure)).isEqualTo(ErrorType.NETWORK);
        assertThat(seen).hasSize(1);
    }

    @Test
    void aShorterReadTimeoutForOneCallSharesTheDownstreamsCircuit() {
        responder = (exchange, call) -> {
            awaitRelease();
            respond(exchange, 200, "{}");
        };
        RestClient brief = clients.restClient("flaky", Duration.ofMillis(200));
        long start = System.nanoTime();

        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> brief.get().uri("/items/1").retrieve().body(String.class))
                    .isInstanceOf(ResourceAccessException.class);
        }

        // four timeouts of 200 ms, not the downstream's read-timeout of 10 s
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(circuitBreakers.circuitBreaker("flaky").getState()).isEqualTo(CircuitBreaker.State.OPEN);
        Throwable failure = catchThrowable(() ->
                clients.restClient("flaky").get().uri("/items/1").retrieve().body(String.class));
        assertThat(failure).isInstanceOf(AgencyException.class);
        assertThat(seen).hasSize(4);
        assertThat(clients.restClient("flaky", Duration.ofMillis(200))).isSameAs(brief);
    }

    @Test
    void theJdkHttpClientOfADownstreamUsesItsConnectTimeoutAndHttp11() throws Exception {
        HttpClient http = clients.httpClient("slow");
        String baseUrl = clients.settings("slow").baseUrl();

        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/items/1")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"id\":\"1\"}");
        assertThat(http.connectTimeout())
                .contains(DownstreamSettings.defaults("x").connectTimeout());
        assertThat(http.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(seen.getFirst().header("Upgrade")).as("no h2c upgrade").isNull();
        assertThat(clients.httpClient("slow")).isSameAs(http);
        assertThatThrownBy(() -> clients.httpClient("ghost-service"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("agency.clients.ghost-service.base-url");
    }

    @Test
    void missingBaseUrlIsAnIllegalStateNamingTheProperty() {
        assertThatThrownBy(() -> clients.create("ghost-service", ItemClient.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("agency.clients.ghost-service.base-url")
                .hasMessageContaining("AGENCY_CLIENTS_GHOST_SERVICE_BASE_URL");
    }

    @Test
    void settingsAreBoundFromTheEnvironmentWithDefaultsForTheRest() {
        DownstreamSettings slow = clients.settings("slow");

        assertThat(slow.readTimeout()).hasMillis(300);
        assertThat(slow.maxAttempts()).isEqualTo(1);
        assertThat(slow.connectTimeout())
                .isEqualTo(DownstreamSettings.defaults("x").connectTimeout());
        assertThat(slow.slidingWindowSize())
                .isEqualTo(DownstreamSettings.defaults("x").slidingWindowSize());
    }

    private void awaitRelease() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String json)
            throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
