package ai.agency.common.client;

import ai.agency.common.error.AgencyException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * Builds clients for other services of the platform: {@code clients.create("memory", MemoryClient.class)} turns an
 * {@code @HttpExchange} interface into a client with timeouts, a circuit breaker and a bulkhead per downstream,
 * retry with exponential backoff and jitter for idempotent methods, the caller's bearer token and trace headers
 * passed on, and {@code http.client.requests} metrics.
 */
public class ServiceClients {

    private static final String LIVENESS = "/actuator/health/liveness";

    private final RestClient.Builder builder;
    private final Binder binder;
    private final CircuitBreakerRegistry circuitBreakers;
    private final BulkheadRegistry bulkheads;
    private final RetryRegistry retries;
    private final Map<String, RestClient> restClients = new ConcurrentHashMap<>();
    private final Map<String, HttpClient> httpClients = new ConcurrentHashMap<>();
    /** The JDK client under each {@link RestClient} built, with its base URL: what {@link #openConnections} opens. */
    private final Map<HttpClient, String> connectionPools = new ConcurrentHashMap<>();

    public ServiceClients(
            RestClient.Builder builder,
            Environment environment,
            CircuitBreakerRegistry circuitBreakers,
            BulkheadRegistry bulkheads,
            RetryRegistry retries) {
        this.builder = builder;
        this.binder = Binder.get(environment);
        this.circuitBreakers = circuitBreakers;
        this.bulkheads = bulkheads;
        this.retries = retries;
    }

    /** A declarative client of downstream {@code name} (settings under {@code agency.clients.<name>}). */
    public <T> T create(String name, Class<T> type) {
        return HttpServiceProxyFactory.builderFor(RestClientAdapter.create(restClient(name)))
                .build()
                .createClient(type);
    }

    /** The resilient {@link RestClient} of downstream {@code name}, for calls an interface cannot express. */
    public RestClient restClient(String name) {
        return restClients.computeIfAbsent(name, this::build);
    }

    /**
     * The resilient {@link RestClient} of downstream {@code name} with a read timeout of its own, for a call on a path
     * that must answer sooner than the downstream's {@code read-timeout} allows (a WebSocket handshake, a filter in
     * front of every request). Base URL, connect timeout, circuit breaker, bulkhead, retry and relay are the
     * downstream's: a failure here counts against the same circuit as every other call to it.
     */
    public RestClient restClient(String name, Duration readTimeout) {
        return restClients.computeIfAbsent(name + "@" + readTimeout, key -> build(name, readTimeout));
    }

    /**
     * A JDK {@link HttpClient} of downstream {@code name} (HTTP/1.1, its {@code connect-timeout}, no redirects), for
     * what a {@link RestClient} does not do well: reading a server-sent event stream line by line as it arrives. The
     * caller resolves its paths against {@link DownstreamSettings#baseUrl()}, sets each request's timeout, and passes
     * tokens and trace headers itself; calls through it have no circuit breaker, bulkhead or retry.
     */
    public HttpClient httpClient(String name) {
        return httpClients.computeIfAbsent(
                name,
                n -> HttpClient.newBuilder()
                        .connectTimeout(settings(n).connectTimeout())
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .version(HttpClient.Version.HTTP_1_1)
                        .build());
    }

    /**
     * Opens a connection of every client built so far to its downstream — one {@code GET /actuator/health/liveness},
     * whatever it answers, all at once and for at most {@code timeout} — so that the first real call finds the HTTP
     * client initialized and a pooled connection. Part of the warm-up before readiness; bypasses circuit breaker,
     * retry and metrics (a downstream still starting must not count against its circuit). Returns the base URLs that
     * answered.
     */
    public List<String> openConnections(Duration timeout) {
        httpClients.forEach((name, client) ->
                connectionPools.putIfAbsent(client, settings(name).baseUrl()));
        List<CompletableFuture<String>> calls = new ArrayList<>();
        connectionPools.forEach((client, baseUrl) -> {
            HttpRequest probe = HttpRequest.newBuilder(URI.create(baseUrl.replaceAll("/+$", "") + LIVENESS))
                    .timeout(timeout)
                    .GET()
                    .build();
            calls.add(client.sendAsync(probe, HttpResponse.BodyHandlers.discarding())
                    .thenApply(response -> baseUrl)
                    .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(failure -> null));
        });
        return calls.stream()
                .map(CompletableFuture::join)
                .filter(Objects::nonNull)
                .distinct()
                .sorted()
                .toList();
    }

    public DownstreamSettings settings(String name) {
        DownstreamSettings downstream = binder.bindOrCreate("agency.clients." + name, DownstreamSettings.class);
        if (downstream.baseUrl() == null || downstream.baseUrl().isBlank()) {
            throw new IllegalStateException("No base URL for downstream '" + name + "': set agency.clients."
                    + name + ".base-url (environment AGENCY_CLIENTS_"
                    + name.toUpperCase().replace('-', '_')
                    + "_BASE_URL)");
        }
        return downstream;
    }

    private RestClient build(String name) {
        return build(name, null);
    }

    private RestClient build(String name, @Nullable Duration readTimeout) {
        DownstreamSettings settings = settings(name);
        HttpClient httpClient = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        connectionPools.put(httpClient, settings.baseUrl());
        JdkClientHttpRequestFactory requestFactory = new JdkClientHttpRequestFactory(httpClient);
        requestFactory.setReadTimeout(readTimeout == null ? settings.readTimeout() : readTimeout);
        return builder.clone()
                .baseUrl(settings.baseUrl())
                .requestFactory(requestFactory)
                .requestInterceptor(new RelayHeadersInterceptor())
                .requestInterceptor(new ResilienceInterceptor(
                        name, circuitBreaker(name, settings), bulkhead(name, settings), retry(name, settings)))
                .build();
    }

    private CircuitBreaker circuitBreaker(String name, DownstreamSettings settings) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(Math.min(settings.slidingWindowSize(), 10))
                .waitDurationInOpenState(settings.openStateWait())
                // after the wait the circuit is half open by itself, not "open" until some call happens to come
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(3)
                .recordExceptions(IOException.class, AgencyException.class)
                .recordResult(result -> result instanceof ClientHttpResponse response && isServerTrouble(response))
                .build();
        return circuitBreakers.circuitBreaker(name, config);
    }

    private Bulkhead bulkhead(String name, DownstreamSettings settings) {
        BulkheadConfig config = BulkheadConfig.custom()
                .maxConcurrentCalls(settings.maxConcurrentCalls())
                .maxWaitDuration(settings.maxWait())
                .build();
        return bulkheads.bulkhead(name, config);
    }

    private Retry retry(String name, DownstreamSettings settings) {
        IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(), 2.0, 0.5);
        RetryConfig config = RetryConfig.<ClientHttpResponse>custom()
                .maxAttempts(Math.max(1, settings.maxAttempts()))
                .intervalBiFunction((Integer attempt, Either<Throwable, ClientHttpResponse> outcome) -> {
                    long wait = backoff.apply(attempt);
                    Duration retryAfter = outcome.isRight() ? retryAfter(outcome.get()) : null;
                    return retryAfter == null ? wait : Math.max(wait, retryAfter.toMillis());
                })
                .retryExceptions(IOException.class)
                .retryOnResult(response -> isWorthRetrying(response, settings.maxRetryAfter()))
                .consumeResultBeforeRetryAttempt((attempt, response) -> response.close())
                .failAfterMaxAttempts(false)
                .build();
        return retries.retry(name, config);
    }

    /**
     * Trouble of the service itself, what the circuit breaker counts: 502, 504, and a 503 without {@code Retry-After}.
     * A 503 with {@code Retry-After} is a service that is alive shedding load, like a 429: not a failure.
     */
    static boolean isServerTrouble(ClientHttpResponse response) {
        try {
            int status = response.getStatusCode().value();
            return status == 502 || status == 504 || (status == 503 && retryAfter(response) == null);
        } catch (IOException e) {
            return true;
        }
    }

    /** Server trouble, or a 429/503 asking to come back after at most {@code maxRetryAfter}. */
    static boolean isWorthRetrying(ClientHttpResponse response, Duration maxRetryAfter) {
        if (isServerTrouble(response)) {
            return true;
        }
        try {
            int status = response.getStatusCode().value();
            Duration retryAfter = retryAfter(response);
            return (status == 429 || status == 503) && retryAfter != null && retryAfter.compareTo(maxRetryAfter) <= 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** The {@code Retry-After} of an answer, in seconds or as an HTTP date; null when absent or unreadable. */
    static @Nullable Duration retryAfter(ClientHttpResponse response) {
        String value = response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration left = Duration.between(Instant.now(), at);
                return left.isNegative() ? Duration.ZERO : left;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
