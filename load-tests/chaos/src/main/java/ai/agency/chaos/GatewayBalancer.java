package ai.agency.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load balancer in front of the gateways, as a Kubernetes Service (or a cloud load balancer with health checks)
 * is: every {@code interval} it asks each gateway's readiness ({@code GET /readyz} on its public port) and sends new
 * requests and WebSocket connections only to those that are ready. A gateway that shuts down reports readiness down
 * first and keeps serving for its readiness grace (common-lib {@code agency.shutdown.readiness-grace}, 3 s), so it is
 * out of the rotation before it stops accepting connections; a restarted one is back once it is ready. A connection
 * refused anyway goes to the next ready gateway (nginx's {@code proxy_next_upstream error}): it never reached one.
 */
final class GatewayBalancer implements AutoCloseable {

    private final Api api;
    private final List<Integer> ports = new CopyOnWriteArrayList<>();
    private final Map<Integer, Boolean> ready = new ConcurrentHashMap<>();
    private final AtomicInteger removals = new AtomicInteger();
    private final Thread prober;
    private volatile boolean closed;

    GatewayBalancer(Api api, List<Integer> gateways, Duration interval) {
        this.api = api;
        ports.addAll(gateways);
        gateways.forEach(p -> ready.put(p, true));
        prober = Thread.ofVirtual().name("lb-readiness").start(() -> {
            while (!closed) {
                for (int port : ports) {
                    probe(port);
                }
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void probe(int port) {
        Api.Response r = api.get("http://localhost:" + port + "/readyz", null);
        boolean isReady = r.status() == 200;
        Boolean was = ready.put(port, isReady);
        if (was != null && was && !isReady) {
            removals.incrementAndGet();
        }
    }

    /** Replaces the gateway at {@code index} (restarted on another port); not ready until its probe says so. */
    void set(int index, int port) {
        ready.put(port, false);
        ports.set(index, port);
    }

    /**
     * The gateway for request {@code n} (round robin) and {@code attempt} (0, then the next after a refused
     * connection): the next ready one; if none is ready, the one in turn.
     */
    int pick(int n, int attempt) {
        int size = ports.size();
        int readySeen = 0;
        for (int i = 0; i < size; i++) {
            int port = ports.get(Math.floorMod(n + i, size));
            if (ready.getOrDefault(port, false)) {
                if (readySeen == attempt) {
                    return port;
                }
                readySeen++;
            }
        }
        return ports.get(Math.floorMod(n + attempt, size));
    }

    /** How many times a gateway was taken out of the rotation because its readiness went down. */
    int removals() {
        return removals.get();
    }

    @Override
    public void close() {
        closed = true;
        prober.interrupt();
    }
}
