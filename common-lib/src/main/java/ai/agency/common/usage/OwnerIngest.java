package ai.agency.common.usage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/** Posts batches of usage events to the owner's {@code /internal/usage/events}; failures are logged once a minute. */
final class OwnerIngest {

    private static final Logger log = LoggerFactory.getLogger(OwnerIngest.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final URI endpoint;
    private final UsageProperties properties;
    private final HttpClient http;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    OwnerIngest(URI ownerBaseUrl, UsageProperties properties) {
        this.endpoint = URI.create(ownerBaseUrl.toString().replaceAll("/+$", "") + UsageProperties.INGEST_PATH);
        this.properties = properties;
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI endpoint() {
        return endpoint;
    }

    /** The event as the owner reads it. */
    static Map<String, Object> body(UsageEvent e) {
        return Map.of(
                "id", e.id(),
                "userId", e.userId(),
                "at", e.at().toString(),
                "kind", e.kind(),
                "subject", e.subject(),
                "count", e.count(),
                "tokensIn", e.tokensIn(),
                "tokensOut", e.tokensOut(),
                "bytes", e.bytes());
    }

    /** True when the owner accepted the batch (2xx). */
    boolean send(List<UsageEvent> batch) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(properties.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("events", batch.stream().map(OwnerIngest::body).toList()))))
                .header(UsageProperties.SECRET_HEADER, properties.ingestSecret().strip())
                .build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return true;
            }
            warn("The usage owner at " + endpoint + " refused " + batch.size() + " event(s) with HTTP "
                    + response.statusCode() + "; they wait");
        } catch (IOException e) {
            warn("Cannot reach the usage owner at " + endpoint + "; " + batch.size() + " event(s) wait: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    void warn(String message) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn("{} (logged at most once a minute; see agency_usage_relay_failures_total)", message);
        }
    }
}
