package ai.agency.gateway.routing;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;

import ai.agency.common.accountdata.AccountData;
import ai.agency.common.security.ProtectedPaths;
import ai.agency.common.trace.TraceIds;
import ai.agency.gateway.GatewayProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.server.mvc.filter.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.util.pattern.PathPatternParser;

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
            refuseInternalPaths(name, target.paths());
            RequestPredicate paths = target.paths().stream()
                    .map(RequestPredicates::path)
                    .reduce(RequestPredicate::or)
                    .orElseThrow();
            RouterFunction<ServerResponse> route = route(name)
                    .route(paths, http())
                    .before(uri(target.uri()))
                    .filter(new DownstreamCircuitBreaker(
                            name, target.circuits(), breakers, properties.circuitBreaker()))
                    .build();
            routes = routes == null ? route : routes.and(route);
        }
        return routes;
    }

    /**
     * No route may proxy {@code /internal/account-data/**}: the gateway serves its own account data there (to the
     * {@code account_data} scope), and a service's must never be reachable from outside.
     */
    static void refuseInternalPaths(String route, List<String> paths) {
        PathContainer probe = PathContainer.parsePath(AccountData.PATH + "/kinds");
        for (String path : paths) {
            if (path.startsWith("/internal")
                    || PathPatternParser.defaultInstance.parse(path).matches(probe)) {
                throw new IllegalStateException("agency.gateway.routes." + route + ".paths: " + path + " would proxy "
                        + AccountData.PATH + "/**, which the gateway never routes");
            }
        }
    }

    @Bean
    ProtectedPaths routedPaths(GatewayProperties properties) {
        return () -> properties.routes().values().stream()
                .flatMap(r -> r.paths().stream())
                .toList();
    }

    /**
     * The trace id on every proxied request, added to the outgoing headers only (the proxy's header filters run once
     * per request anyway; rebuilding the whole server request for it cost more than the rest of the routing).
     */
    @Bean
    HttpHeadersFilter.RequestHttpHeadersFilter traceIdHeaders() {
        return (headers, request) -> withTraceId(headers);
    }

    static HttpHeaders withTraceId(HttpHeaders headers) {
        String traceId = TraceIds.current();
        if (traceId == null) {
            return headers;
        }
        HttpHeaders out = new HttpHeaders();
        out.addAll(headers);
        out.set(TraceIds.REQUEST_ID_HEADER, traceId);
        // the gateway's request span is the parent of the downstream's (a client's traceparent was continued by it)
        String traceparent = TraceIds.outgoingTraceparent(traceId);
        if (traceparent != null) {
            out.set(TraceIds.TRACEPARENT_HEADER, traceparent);
        }
        return out;
    }
}
