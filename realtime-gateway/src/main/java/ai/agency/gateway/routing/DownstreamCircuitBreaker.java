package ai.agency.gateway.routing;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.gateway.GatewayProperties;
import ai.agency.gateway.limits.BodySizeFilter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.function.HandlerFilterFunction;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * A Resilience4j circuit breaker around one route: connection failures and 502/503/504 answers count as failures;
 * while the circuit is open the gateway answers 503 at once instead of waiting on a dead service. A service that
 * cannot be reached at all is also a 503, never a bare 500.
 */
class DownstreamCircuitBreaker implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private final String name;
    private final CircuitBreaker breaker;

    DownstreamCircuitBreaker(String name, CircuitBreakerRegistry registry, GatewayProperties.CircuitBreaker settings) {
        this.name = name;
        this.breaker = registry.circuitBreaker(
                "gateway-" + name,
                CircuitBreakerConfig.custom()
                        .failureRateThreshold(settings.failureRateThreshold())
                        .slidingWindowSize(settings.slidingWindowSize())
                        .minimumNumberOfCalls(settings.minimumNumberOfCalls())
                        .waitDurationInOpenState(settings.openStateWait())
                        .build());
    }

    @Override
    public ServerResponse filter(ServerRequest request, HandlerFunction<ServerResponse> next) throws Exception {
        if (!breaker.tryAcquirePermission()) {
            throw AgencyException.unavailable(
                    "Service '" + name + "' is unavailable (circuit open); try again shortly", null);
        }
        long start = breaker.getCurrentTimestamp();
        try {
            ServerResponse response = next.handle(request);
            long elapsed = breaker.getCurrentTimestamp() - start;
            int status = response.statusCode().value();
            if (status == 502 || status == 503 || status == 504) {
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
            breaker.onError(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), e);
            throw AgencyException.unavailable("Service '" + name + "' is unavailable; try again shortly", e);
        }
    }

    private static BodySizeFilter.BodyTooLargeException tooLarge(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof BodySizeFilter.BodyTooLargeException tooLarge) {
                return tooLarge;
            }
        }
        return null;
    }
}
