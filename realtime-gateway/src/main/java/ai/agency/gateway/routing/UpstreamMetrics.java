package ai.agency.gateway.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.web.servlet.function.HandlerFilterFunction;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * {@code agency_gateway_upstream_requests_seconds{route, target, status}}: every proxied request by route, by target
 * ({@code stable} or {@code canary}) and by the upstream's status ({@code error} when it could not be reached), as a
 * histogram, so that the canary's error rate and latency can be compared with the stable version's (the canary
 * alerts in {@code observability/prometheus/alerts.yml}). Time is until the response head, streams not included.
 */
final class UpstreamMetrics implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    static final String NAME = "agency.gateway.upstream.requests";

    private final String route;
    private final String target;
    private final MeterRegistry registry;

    UpstreamMetrics(String route, String target, MeterRegistry registry) {
        this.route = route;
        this.target = target;
        this.registry = registry;
    }

    @Override
    public ServerResponse filter(ServerRequest request, HandlerFunction<ServerResponse> next) throws Exception {
        long start = System.nanoTime();
        String status = "error";
        try {
            ServerResponse response = next.handle(request);
            status = Integer.toString(response.statusCode().value());
            return response;
        } finally {
            timer(status).record(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private Timer timer(String status) {
        return Timer.builder(NAME)
                .description("Requests proxied to a route's stable or canary target, by upstream status")
                .tags("route", route, "target", target, "status", status)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }
}
