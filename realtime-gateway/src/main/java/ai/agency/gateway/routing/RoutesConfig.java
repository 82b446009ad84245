package ai.agency.gateway.routing;

import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;
import static org.springframework.cloud.gateway.server.mvc.predicate.GatewayRequestPredicates.weight;

import ai.agency.common.accountdata.AccountData;
import ai.agency.common.security.ProtectedPaths;
import ai.agency.common.trace.TraceIds;
import ai.agency.gateway.GatewayProperties;
import ai.agency.gateway.rollout.CanaryWeights;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
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
 * circuit is open gets a 503 {@code service_unavailable} problem ({@link DownstreamCircuitBreaker}). A route with a
 * {@code canary} is two routes in one weight group, {@code <name>} to the stable URI and {@code <name>-canary} to the
 * canary's, with their weights ({@link CanaryWeights}).
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfig {

    @Bean
    @Nullable
    RouterFunction<ServerResponse> serviceRoutes(
            GatewayProperties properties,
            CircuitBreakerRegistry breakers,
            MeterRegistry meters,
            InstanceReadiness readiness) {
        RouterFunction<ServerResponse> routes = null;
        for (var entry : properties.routes().entrySet()) {
            String name = entry.getKey();
            GatewayProperties.Route target = entry.getValue();
            refuseInternalPaths(name, target.paths());
            RequestPredicate paths = target.paths().stream()
                    .map(RequestPredicates::path)
                    .reduce(RequestPredicate::or)
                    .orElseThrow();
            GatewayProperties.Canary canary = target.canary();
            if (canary == null) {
                routes = and(
                        routes,
                        proxy(name, false, paths, target.targets(), target, properties, breakers, meters, readiness));
                continue;
            }
            // one weight group per route, named after it: the stable route and its canary share it, their weights
            // add up to 100 (CanaryWeights changes them at runtime)
            RequestPredicate stable = paths.and(weight(name, 100 - canary.weight()));
            RequestPredicate toCanary = paths.and(weight(name, canary.weight()));
            routes = and(
                    routes,
                    proxy(name, false, stable, target.targets(), target, properties, breakers, meters, readiness));
            routes = and(
                    routes,
                    proxy(
                            name,
                            true,
                            toCanary,
                            List.of(canary.uri()),
                            target,
                            properties,
                            breakers,
                            meters,
                            readiness));
        }
        return routes;
    }

    /**
     * One proxied target: its own circuit breakers (a failing canary never opens the stable version's), metrics, and its
     * instances in turn ({@link InstanceBalancer}).
     */
    private static RouterFunction<ServerResponse> proxy(
            String name,
            boolean canary,
            RequestPredicate predicate,
            List<URI> instances,
            GatewayProperties.Route target,
            GatewayProperties properties,
            CircuitBreakerRegistry breakers,
            MeterRegistry meters,
            InstanceReadiness readiness) {
        String id = canary ? CanaryWeights.canaryRouteId(name) : name;
        // filters run in the order added, each around the next: metrics see what the client gets (an open circuit's 503
        // too), the circuit breaker sees a request after it was tried on every instance
        return route(id)
                .route(predicate, http())
                .filter(new UpstreamMetrics(name, canary ? "canary" : "stable", meters))
                .filter(new DownstreamCircuitBreaker(id, target.circuits(), breakers, properties.circuitBreaker()))
                .filter(new InstanceBalancer(id, instances, properties.instanceDownTime(), readiness::isReady))
                .build();
    }

    private static RouterFunction<ServerResponse> and(
            @Nullable RouterFunction<ServerResponse> routes, RouterFunction<ServerResponse> route) {
        return routes == null ? route : routes.and(route);
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

    /** The readiness of the instances of routes with several ({@link InstanceBalancer} skips those not ready). */
    @Bean
    InstanceReadiness instanceReadiness(GatewayProperties properties) {
        return new InstanceReadiness(properties);
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
