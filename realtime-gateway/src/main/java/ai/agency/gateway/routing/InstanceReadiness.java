package ai.agency.gateway.routing;

import ai.agency.gateway.GatewayProperties;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

/**
 * The readiness of every instance of the routes that have several ({@code agency.gateway.routes.<name>.instances}):
 * a background probe of each one's readiness ({@code GET <instance><instance-probe.path>}, every {@code
 * instance-probe.interval}), so the balancing skips an instance whose readiness is down — one that is shutting down
 * (it reports readiness down and keeps serving for its readiness grace before it stops accepting connections) or
 * still warming up after a restart — before any request to it fails. 200: ready; 503 or a refused connection: not
 * ready; anything else (404: its actuator answers on another port) tells nothing and the instance counts as ready; a
 * probe that times out leaves the last state.
 */
public final class InstanceReadiness implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InstanceReadiness.class);

    private final Set<URI> instances;
    private final GatewayProperties.InstanceProbe settings;
    private final Map<URI, Boolean> notReady = new ConcurrentHashMap<>();
    private final Set<URI> unknown = ConcurrentHashMap.newKeySet();
    private @Nullable HttpClient http;
    private @Nullable Thread prober;
    private volatile boolean running;

    InstanceReadiness(GatewayProperties properties) {
        this.settings = properties.instanceProbe();
        Set<URI> all = new LinkedHashSet<>();
        for (GatewayProperties.Route route : properties.routes().values()) {
            if (route.instances().size() > 1) {
                all.addAll(route.instances());
            }
        }
        this.instances = Set.copyOf(all);
    }

    /** False only when the last probe found the instance's readiness down (or its port closed). */
    boolean isReady(URI instance) {
        return !notReady.containsKey(instance);
    }

    /** Probes every instance once (and on every interval while running). */
    void probeAll() {
        for (URI instance : instances) {
            probe(instance);
        }
    }

    private void probe(URI instance) {
        HttpClient client = http;
        if (client == null) {
            return;
        }
        URI uri = URI.create(stripSlash(instance.toString()) + settings.path());
        Boolean ready;
        try {
            int status = client.send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(settings.timeout())
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            if (status == 200) {
                ready = true;
            } else if (status == 503) {
                ready = false;
            } else {
                if (unknown.add(instance)) {
                    log.warn("Readiness probe {} answered {}: the instance counts as ready", uri, status);
                }
                ready = true;
            }
        } catch (ConnectException | HttpConnectTimeoutException e) {
            ready = false;
        } catch (IOException e) {
            ready = null; // a timeout or a cut answer: keep what the last probe said
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (ready == null) {
            return;
        }
        if (ready) {
            if (notReady.remove(instance) != null) {
                log.info("Instance {} is ready again: it gets requests", instance);
            }
        } else if (notReady.put(instance, Boolean.TRUE) == null) {
            log.info("Instance {} is not ready (readiness down or port closed): it gets no requests", instance);
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void start() {
        if (instances.isEmpty() || !settings.enabled()) {
            return;
        }
        http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        running = true;
        prober = Thread.ofVirtual().name("instance-readiness").start(() -> {
            while (running) {
                probeAll();
                try {
                    Thread.sleep(settings.interval());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        Thread t = prober;
        if (t != null) {
            t.interrupt();
        }
        HttpClient client = http;
        if (client != null) {
            client.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server's graceful shutdown: requests still being proxied keep their view of the instances. */
    @Override
    public int getPhase() {
        return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1;
    }
}
