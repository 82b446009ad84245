package ai.agency.gateway.routing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.server.mvc.common.MvcUtils;
import org.springframework.http.HttpMethod;
import org.springframework.web.servlet.function.HandlerFilterFunction;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Where one route target's requests go when it has several instances ({@code agency.gateway.routes.<name>.instances},
 * e.g. two replicas of a service without a Kubernetes Service in front): round robin over the instances that are
 * ready. Not ready: its readiness probe says so ({@link InstanceReadiness}: an instance that is shutting down reports
 * it during its readiness grace, before it stops accepting connections; one that restarts is not ready until its
 * warm-up is over), or it refused a connection less than {@code down-time} ago. A request whose connection to an
 * instance could not be made (refused, or the connect timed out) never reached it: it is sent to the next instance at
 * once, whatever its method. An idempotent request (GET, HEAD, OPTIONS, PUT, DELETE) is also sent again after any
 * other I/O failure before an answer (a kept-alive connection closed under it, a reset). A POST or PATCH whose
 * connection was made is never sent again: if the connection is then closed before any answer, the instance may have
 * received and done it (a replica killed mid-request looks the same as an idle connection closed under the request),
 * so the failure goes to the client. Rolling restarts lose none all the same, because readiness moves the requests
 * away from an instance before it closes anything. With one instance this is just the target URI.
 */
final class InstanceBalancer implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private static final Logger log = LoggerFactory.getLogger(InstanceBalancer.class);
    private static final Set<HttpMethod> IDEMPOTENT =
            Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE);

    private final String route;
    private final List<URI> instances;
    private final long downNanos;
    private final AtomicInteger next = new AtomicInteger();
    private final ConcurrentHashMap<URI, Long> downUntil = new ConcurrentHashMap<>();
    private final Predicate<URI> ready;

    InstanceBalancer(String route, List<URI> instances, Duration downTime) {
        this(route, instances, downTime, instance -> true);
    }

    InstanceBalancer(String route, List<URI> instances, Duration downTime, Predicate<URI> ready) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("route " + route + " has no instance");
        }
        this.route = route;
        this.instances = List.copyOf(instances);
        this.downNanos = downTime.toNanos();
        this.ready = ready;
    }

    @Override
    public ServerResponse filter(ServerRequest request, HandlerFunction<ServerResponse> handler) throws Exception {
        int attempts = instances.size();
        URI instance = pick(null);
        for (int attempt = 1; ; attempt++) {
            MvcUtils.setRequestUrl(request, instance);
            try {
                return handler.handle(request);
            } catch (Exception e) {
                // no connection was made: the request never reached the instance
                boolean refused = causedBy(e, ConnectException.class) || causedBy(e, HttpConnectTimeoutException.class);
                if (refused) {
                    markDown(instance);
                }
                boolean retry = attempt < attempts
                        && (refused || (IDEMPOTENT.contains(request.method()) && causedBy(e, IOException.class)));
                if (!retry) {
                    throw e;
                }
                URI previous = instance;
                instance = pick(previous);
                log.info(
                        "{} {} to '{}' instance {} failed ({}); sent to {}",
                        request.method(),
                        request.path(),
                        route,
                        previous,
                        e.toString(),
                        instance);
            }
        }
    }

    /**
     * The next instance in turn that is ready and not marked down (and not {@code avoid}); if there is none, the next
     * in turn that is not {@code avoid}.
     */
    URI pick(@Nullable URI avoid) {
        long now = System.nanoTime();
        int start = Math.floorMod(next.getAndIncrement(), instances.size());
        for (int i = 0; i < instances.size(); i++) {
            URI candidate = instances.get((start + i) % instances.size());
            Long until = downUntil.get(candidate);
            if (!candidate.equals(avoid) && (until == null || until - now <= 0) && ready.test(candidate)) {
                return candidate;
            }
        }
        for (int i = 0; i < instances.size(); i++) {
            URI candidate = instances.get((start + i) % instances.size());
            if (!candidate.equals(avoid)) {
                return candidate;
            }
        }
        return instances.get(start);
    }

    private void markDown(URI instance) {
        long now = System.nanoTime();
        Long previous = downUntil.put(instance, now + downNanos);
        if (previous == null || previous - now <= 0) {
            log.warn("'{}' instance {} refuses connections: skipped for {} ms", route, instance, downNanos / 1_000_000);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
