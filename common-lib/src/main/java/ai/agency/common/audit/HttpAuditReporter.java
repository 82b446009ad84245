package ai.agency.common.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends authorization denials to auth-service ({@code POST /api/v1/audit/events}) without ever holding up a request:
 * {@link #denied} only offers the event to a bounded queue; one virtual thread drains it and posts batches. Each
 * batch is sent with the bearer token of the callers it reports (events are grouped by token), so auth-service
 * records the actor from a token it verified itself; a body cannot name anyone else. When the queue is full, or
 * auth-service cannot be reached or refuses a batch, the events are dropped and counted in
 * {@code agency_audit_events_dropped_total{reason}}; such failures are logged at most once a minute.
 */
public class HttpAuditReporter implements AuthorizationDenialListener, DisposableBean {

    static final String DROPPED_METRIC = "agency.audit.events.dropped";
    static final String SENT_METRIC = "agency.audit.events.sent";
    private static final Logger log = LoggerFactory.getLogger(HttpAuditReporter.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final URI endpoint;
    private final int batchSize;
    private final Duration requestTimeout;
    private final BlockingQueue<AuthorizationDenial> queue;
    private final HttpClient http;
    private final Counter droppedQueueFull;
    private final Counter droppedUnreachable;
    private final Counter droppedRejected;
    private final Counter sent;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final Thread drainer;
    private volatile boolean running = true;

    public HttpAuditReporter(URI endpoint, AuditReporterProperties properties, MeterRegistry meters) {
        this.endpoint = endpoint;
        this.batchSize = properties.batchSize();
        this.requestTimeout = properties.requestTimeout();
        this.queue = new ArrayBlockingQueue<>(properties.queueCapacity());
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.droppedQueueFull = dropped(meters, "queue_full");
        this.droppedUnreachable = dropped(meters, "unreachable");
        this.droppedRejected = dropped(meters, "rejected");
        this.sent = Counter.builder(SENT_METRIC)
                .description("Authorization denials delivered to auth-service's audit log")
                .register(meters);
        this.drainer = Thread.ofVirtual().name("agency-audit-reporter").start(this::drain);
    }

    private static Counter dropped(MeterRegistry meters, String reason) {
        return Counter.builder(DROPPED_METRIC)
                .description("Authorization denials not delivered to the audit log (queue full, auth-service "
                        + "unreachable or refusing)")
                .tag("reason", reason)
                .register(meters);
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void denied(AuthorizationDenial denial) {
        if (!running || !queue.offer(denial)) {
            droppedQueueFull.increment();
            warn(
                    "Audit queue is full: dropping authorization denials (is auth-service at " + endpoint + " slow?)",
                    null);
        }
    }

    private void drain() {
        List<AuthorizationDenial> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty()) {
            try {
                AuthorizationDenial first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                send(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                warn("Audit reporter failed: " + e, null);
            } finally {
                batch.clear();
            }
        }
    }

    /** Posts the batch, one request per caller token. */
    private void send(List<AuthorizationDenial> batch) throws InterruptedException {
        Map<String, List<AuthorizationDenial>> byToken = new LinkedHashMap<>();
        for (AuthorizationDenial denial : batch) {
            byToken.computeIfAbsent(denial.token(), t -> new ArrayList<>()).add(denial);
        }
        for (Map.Entry<String, List<AuthorizationDenial>> group : byToken.entrySet()) {
            List<Map<String, Object>> events =
                    group.getValue().stream().map(HttpAuditReporter::body).toList();
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(requestTimeout)
                    .header("Authorization", "Bearer " + group.getKey())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("events", events))))
                    .build();
            int count = events.size();
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    sent.increment(count);
                } else {
                    droppedRejected.increment(count);
                    warn("auth-service refused " + count + " audit event(s) with HTTP " + response.statusCode(), null);
                }
            } catch (IOException e) {
                droppedUnreachable.increment(count);
                warn(
                        "Cannot reach auth-service at " + endpoint + " to record " + count
                                + " authorization denial(s); they are dropped: " + e,
                        null);
            }
        }
    }

    /** What auth-service receives: the claimed facts of the denial, never the token. */
    private static Map<String, Object> body(AuthorizationDenial denial) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("service", denial.service());
        event.put("method", denial.method());
        event.put("path", denial.path());
        event.put("reason", denial.reason());
        event.put("traceId", denial.traceId());
        event.put("at", denial.at().toString());
        return event;
    }

    private void warn(String message, @Nullable Throwable cause) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn("{} (logged at most once a minute; see agency_audit_events_dropped_total)", message, cause);
        }
    }

    /** Stops taking events; the drainer sends what is queued (up to one request timeout) and ends. */
    @Override
    public void destroy() throws InterruptedException {
        running = false;
        if (!drainer.join(requestTimeout.plusSeconds(1))) {
            drainer.interrupt();
        }
    }
}
