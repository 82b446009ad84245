package ai.agency.gateway.routing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
 * e.g. two replicas of a service without a Kubernetes Service in front): round robin over the instances that are not
 * known to be down. An instance that refuses a connection is skipped for {@code down-time}; the request is sent to
 * the next instance at once: any request whose connection was refused (it never reached a service), and an idempotent
 * one (GET, HEAD, OPTIONS, PUT, DELETE) after any other I/O failure before an answer. So a replica that is restarted
 * — it stops accepting connections when its graceful shutdown begins — loses no request. With one instance this
 * is just the target URI.
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

    InstanceBalancer(String route, List<URI> instances, Duration downTime) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("route " + route + " has no instance");
        }
        this.route = route;
        this.instances = List.copyOf(instances);
        this.downNanos = downTime.toNanos();
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
                boolean refused = causedBy(e, ConnectException.class);
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

    /** The next instance in turn that is not down (and not {@code avoid}); if every one is down, the next in turn. */
    URI pick(@Nullable URI avoid) {
        long now = System.nanoTime();
        int start = Math.floorMod(next.getAndIncrement(), instances.size());
        for (int i = 0; i < instances.size(); i++) {
            URI candidate = instances.get((start + i) % instances.size());
            Long until = downUntil.get(candidate);
            if (!candidate.equals(avoid) && (until == null || until - now <= 0)) {
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
