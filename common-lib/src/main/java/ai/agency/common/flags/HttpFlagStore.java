package ai.agency.common.flags;

import ai.agency.common.usage.UsageProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The flags of auth-service's {@code GET /internal/flags}, read on a thread of its own every
 * {@code refresh-interval} (500 ms by default), so an admin's change is in effect at every replica within about a
 * second, and an evaluation never waits for the network. When auth-service cannot be read the last flags read stay in
 * effect (a warning at most once a minute); before the first read there are none, and every evaluation answers its
 * default.
 */
public final class HttpFlagStore implements FlagStore, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HttpFlagStore.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final URI endpoint;
    private final String secret;
    private final Duration interval;
    private final Duration timeout;
    private final HttpClient http;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private volatile Map<String, FlagRule> flags = Map.of();
    private volatile boolean running;
    private @Nullable Thread thread;

    public HttpFlagStore(URI authBaseUrl, FlagsProperties properties) {
        this.endpoint = URI.create(authBaseUrl.toString().replaceAll("/+$", "") + FlagsProperties.PATH);
        this.secret = properties.secret().strip();
        this.interval = properties.refreshInterval();
        this.timeout = properties.timeout();
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public @Nullable FlagRule get(String key) {
        return flags.get(key);
    }

    @Override
    public Map<String, FlagRule> all() {
        return flags;
    }

    /** Reads the flags once now; false (and the old flags kept) when auth-service could not be read. */
    public boolean refresh() {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header(UsageProperties.SECRET_HEADER, secret)
                .header("Accept", "application/json")
                .GET()
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                warn("auth-service answered HTTP " + response.statusCode() + " at " + endpoint);
                return false;
            }
            flags = parse(JSON.readTree(response.body()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            warn("cannot read " + endpoint + ": " + e);
            return false;
        }
    }

    static Map<String, FlagRule> parse(JsonNode body) {
        Map<String, FlagRule> read = new LinkedHashMap<>();
        for (JsonNode flag : body.path("flags")) {
            List<String> roles = new ArrayList<>();
            flag.path("roles").forEach(role -> roles.add(role.asString()));
            FlagRule rule = new FlagRule(
                    flag.path("key").asString(),
                    flag.path("enabled").asBoolean(),
                    flag.path("percentage").asInt(),
                    roles,
                    flag.path("description").asString(""));
            read.put(rule.key(), rule);
        }
        return Map.copyOf(read);
    }

    private void warn(String message) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn("Feature flags: {}; the last flags read stay in effect (logged at most once a minute)", message);
        }
    }

    @Override
    public void start() {
        running = true;
        refresh();
        thread = Thread.ofPlatform().daemon().name("agency-flags").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            refresh();
        }
    }

    @Override
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
