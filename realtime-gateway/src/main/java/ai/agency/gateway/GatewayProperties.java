package ai.agency.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the gateway.
 *
 * @param routes each downstream service: where it answers ({@code AGENCY_GATEWAY_ROUTES_MEMORY_URI}) and the path
 *     prefixes routed to it
 * @param circuitBreaker when a downstream is considered down and for how long the gateway answers 503 at once
 */
@Validated
@ConfigurationProperties("agency.gateway")
public record GatewayProperties(
        @NotEmpty Map<String, @Valid Route> routes,
        @Valid @DefaultValue CircuitBreaker circuitBreaker) {

    /** One downstream service. */
    public record Route(@NotNull URI uri, @NotEmpty List<String> paths) {}

    /** Circuit breaker per route. */
    public record CircuitBreaker(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("20") int slidingWindowSize,
            @DefaultValue("10") int minimumNumberOfCalls,
            @DefaultValue("10s") Duration openStateWait) {}
}
