package ai.agency.gateway.routing;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.Problems;
import ai.agency.gateway.GatewayProperties;
import ai.agency.gateway.limits.BodySizeFilter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.HandlerFilterFunction;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Resilience4j circuit breakers around one route: one for the route, and one for each path group the route names
 * in {@code circuits}. Connection failures, timeouts and the configured 5xx answers count as failures; a 503 with
 * {@code Retry-After} (a service shedding load), a 429 and every other 4xx do not: a service that answers "not now"
 * is alive. While a circuit is open the gateway answers 503 at once, with the wait left as {@code Retry-After},
 * instead of waiting on a dead service. A service that cannot be reached at all is also a 503, never a bare 500.
 */
class DownstreamCircuitBreaker implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private static final Logger log = LoggerFactory.getLogger(DownstreamCircuitBreaker.class);

    private record Circuit(String name, RequestPredicate paths, CircuitBreaker breaker) {}

    private final Circuit routeCircuit;
    private final List<Circuit> pathCircuits = new ArrayList<>();
    private final Set<Integer> failureStatuses;
    private final Duration openStateWait;
    private final Map<String, Long> openedAt = new ConcurrentHashMap<>();

    DownstreamCircuitBreaker(
            String route,
            Map<String, List<String>> circuits,
            CircuitBreakerRegistry registry,
            GatewayProperties.CircuitBreaker settings) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                .waitDurationInOpenState(settings.openStateWait())
                // after the wait the circuit is half open by itself, not "open" until some call happens to come
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
                .build();
        this.failureStatuses = Set.copyOf(settings.failureStatuses());
        this.openStateWait = settings.openStateWait();
        this.routeCircuit = circuit(route, RequestPredicates.all(), registry, config);
        circuits.forEach((name, paths) -> pathCircuits.add(circuit(
                route + "-" + name,
                paths.stream()
                        .map(RequestPredicates::path)
                        .reduce(RequestPredicate::or)
                        .orElseThrow(),
                registry,
                config)));
    }

    private Circuit circuit(
            String name, RequestPredicate paths, CircuitBreakerRegistry registry, CircuitBreakerConfig config) {
        CircuitBreaker breaker = registry.circuitBreaker("gateway-" + name, config);
        breaker.getEventPublisher().onStateTransition(event -> {
            if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                openedAt.put(name, System.nanoTime());
            }
        });
        return new Circuit(name, paths, breaker);
    }

    @Override
    public ServerResponse filter(ServerRequest request, HandlerFunction<ServerResponse> next) throws Exception {
        Circuit circuit = circuitFor(request);
        CircuitBreaker breaker = circuit.breaker();
        if (!breaker.tryAcquirePermission()) {
            return circuitOpen(circuit, request);
        }
        long start = breaker.getCurrentTimestamp();
        try {
            ServerResponse response = next.handle(request);
            long elapsed = breaker.getCurrentTimestamp() - start;
            if (isFailure(response)) {
                int status = response.statusCode().value();
                breaker.onError(elapsed, breaker.getTimestampUnit(), new IllegalStateException("HTTP " + status));
            } else {
                breaker.onSuccess(elapsed, breaker.getTimestampUnit());
            }
            return response;
        } catch (Exception e) {
            BodySizeFilter.BodyTooLargeException tooLarge = tooLarge(e);
            if (tooLarge != null) { // the client's fault, not the service's
                breaker.releasePermission();
                throw new AgencyException(
                        ErrorType.VALIDATION,
                        HttpStatus.CONTENT_TOO_LARGE,
                        "Request body too large: at most " + tooLarge.maxBytes() + " bytes for this path",
                        List.of(),
                        null);
            }
            if (ErrorClassifier.isMalformedRequest(e)) { // e.g. a query Tomcat cannot decode, read by the proxy
                breaker.releasePermission();
                throw e; // the client's fault: answered 400 by the problem handler, and not the service's failure
            }
            breaker.onError(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), e);
            log.warn("{} {} to '{}' failed: {}", request.method(), request.path(), circuit.name(), causes(e));
            throw AgencyException.unavailable("Service '" + circuit.name() + "' is unavailable; try again shortly", e);
        }
    }

    /** The exception and its causes, one line: what an operator needs to tell a refused connection from a reset. */
    private static String causes(Throwable e) {
        StringBuilder line = new StringBuilder(e.toString());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            line.append(" <- ").append(cause);
        }
        return line.toString();
    }

    /**
     * A failure of the service, as opposed to its answer to this request: a configured 5xx, unless it is a 503 with
     * {@code Retry-After}, the way a service that is alive sheds load.
     */
    private boolean isFailure(ServerResponse response) {
        int status = response.statusCode().value();
        if (!failureStatuses.contains(status)) {
            return false;
        }
        return !(status == 503 && response.headers().containsHeader(HttpHeaders.RETRY_AFTER));
    }

    private Circuit circuitFor(ServerRequest request) {
        for (Circuit circuit : pathCircuits) {
            if (circuit.paths().test(request)) {
                return circuit;
            }
        }
        return routeCircuit;
    }

    /** 503 problem with the wait left until trial calls are let through (at least 1 s) as {@code Retry-After}. */
    private ServerResponse circuitOpen(Circuit circuit, ServerRequest request) {
        var problem = Problems.of(
                HttpStatus.SERVICE_UNAVAILABLE,
                ErrorType.SERVICE_UNAVAILABLE,
                "Service '" + circuit.name() + "' is unavailable (circuit open); try again shortly",
                request.path(),
                null);
        return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds(circuit)))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.toMap(problem));
    }

    private long retryAfterSeconds(Circuit circuit) {
        Long opened = openedAt.get(circuit.name());
        if (opened == null || circuit.breaker().getState() != CircuitBreaker.State.OPEN) {
            return 1; // half open: the trial calls are under way
        }
        long leftNanos = openStateWait.toNanos() - (System.nanoTime() - opened);
        return Math.max(1, (leftNanos + 999_999_999) / 1_000_000_000);
    }

    private static BodySizeFilter.@Nullable BodyTooLargeException tooLarge(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof BodySizeFilter.BodyTooLargeException tooLarge) {
                return tooLarge;
            }
        }
        return null;
    }
}
