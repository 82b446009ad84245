package ai.agency.gateway.routing;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;

import ai.agency.common.security.ProtectedPaths;
import ai.agency.common.trace.TraceIds;
import ai.agency.gateway.GatewayProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Routes every {@code /api/v1/**} prefix of the public API to its service (Spring Cloud Gateway Server MVC): bodies,
 * statuses and problem responses pass through unchanged; the trace id is added; a service that is down or whose
 * circuit is open gets a 503 {@code service_unavailable} problem ({@link DownstreamCircuitBreaker}).
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfig {

    @Bean
    @Nullable
    RouterFunction<ServerResponse> serviceRoutes(GatewayProperties properties, CircuitBreakerRegistry breakers) {
        RouterFunction<ServerResponse> routes = null;
        for (var entry : properties.routes().entrySet()) {
            String name = entry.getKey();
            GatewayProperties.Route target = entry.getValue();
            RequestPredicate paths = target.paths().stream()
                    .map(RequestPredicates::path)
                    .reduce(RequestPredicate::or)
                    .orElseThrow();
            RouterFunction<ServerResponse> route = route(name)
                    .route(paths, http())
                    .before(uri(target.uri()))
                    .before(RoutesConfig::withTraceId)
                    .filter(new DownstreamCircuitBreaker(
                            name, target.circuits(), breakers, properties.circuitBreaker()))
                    .build();
            routes = routes == null ? route : routes.and(route);
        }
        return routes;
    }

    @Bean
    ProtectedPaths routedPaths(GatewayProperties properties) {
        return () -> properties.routes().values().stream()
                .flatMap(r -> r.paths().stream())
                .toList();
    }

    static ServerRequest withTraceId(ServerRequest request) {
        String traceId = TraceIds.current();
        if (traceId == null) {
            return request;
        }
        ServerRequest.Builder builder = ServerRequest.from(request).headers(h -> {
            h.set(TraceIds.REQUEST_ID_HEADER, traceId);
            if (!h.containsHeader(TraceIds.TRACEPARENT_HEADER)) {
                String traceparent = TraceIds.traceparentFor(traceId);
                if (traceparent != null) {
                    h.set(TraceIds.TRACEPARENT_HEADER, traceparent);
                }
            }
        });
        return builder.build();
    }
}
