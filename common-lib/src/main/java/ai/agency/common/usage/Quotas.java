package ai.agency.common.usage;

import ai.agency.common.error.RateLimitedException;
import ai.agency.common.security.Caller;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The quota state the owner keeps ({@code GET /api/v1/usage/quotas}, read with the caller's own token), cached per
 * user for {@code agency.usage.quota-cache-ttl}, for the services that refuse work over a quota. It fails open: when
 * the owner cannot be asked, the work goes ahead (usage is still recorded and counted) and a warning is logged; the
 * failure is remembered for the same TTL, so an owner that is down is not asked on every request.
 */
public class Quotas {

    /** Model tokens (in + out) per UTC day; checked by orchestration before a turn. */
    public static final String TOKENS_PER_DAY = "tokens_per_day";
    /** Memories a user holds; checked by memory-service on add. */
    public static final String MEMORIES_TOTAL = "memories_total";
    /** Tool calls per minute; checked by tool-service on execute. */
    public static final String TOOL_CALLS_PER_MINUTE = "tool_calls_per_minute";

    /** One quota as the owner reports it: {@code limit} null when the user has none. */
    public record Quota(
            String name,
            @Nullable Long limit,
            long used,
            @Nullable Instant resetsAt) {}

    private static final Logger log = LoggerFactory.getLogger(Quotas.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient http;
    private final Cache<UUID, List<Quota>> cache;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    public Quotas(URI ownerBaseUrl, UsageProperties properties) {
        this.endpoint = URI.create(ownerBaseUrl.toString().replaceAll("/+$", "") + UsageProperties.QUOTAS_PATH);
        this.timeout = properties.requestTimeout();
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(properties.quotaCacheTtl())
                .maximumSize(100_000)
                .build();
    }

    /** The caller's quota of that name, if the owner could be asked and reports one with a limit. */
    public Optional<Quota> of(Caller caller, String name) {
        return state(caller).stream()
                .filter(q -> q.name().equals(name) && q.limit() != null)
                .findFirst();
    }

    /** Refuses (429) when the owner's count of the quota has reached its limit. */
    public void requireBelow(Caller caller, String name) {
        of(caller, name).ifPresent(q -> requireBelow(q, q.used()));
    }

    /** Refuses (429) when {@code used}, counted by the enforcing service itself, has reached the quota's limit. */
    public static void requireBelow(Quota quota, long used) {
        @Nullable Long limit = quota.limit();
        if (limit != null && used >= limit) {
            throw exceeded(quota.name(), limit, quota.resetsAt());
        }
    }

    /** The 429 problem of a quota: {@code quota}, {@code limit}, {@code resetsAt} (absent when it never resets). */
    public static RateLimitedException exceeded(String name, long limit, @Nullable Instant resetsAt) {
        long retryAfter = resetsAt == null
                ? 3600
                : Math.max(1, Duration.between(Instant.now(), resetsAt).toSeconds());
        RateLimitedException problem = new RateLimitedException(
                "Quota " + name + " of " + limit + " is used up"
                        + (resetsAt == null ? "" : "; it resets at " + resetsAt),
                retryAfter);
        problem.withProperty("quota", name).withProperty("limit", limit);
        if (resetsAt != null) {
            problem.withProperty("resetsAt", resetsAt.toString());
        }
        return problem;
    }

    /** Forgets a user's cached state (after work that changes it, when the next check must see it). */
    public void forget(UUID userId) {
        cache.invalidate(userId);
    }

    private List<Quota> state(Caller caller) {
        List<Quota> cached = cache.getIfPresent(caller.id());
        if (cached != null) {
            return cached;
        }
        List<Quota> read = read(caller);
        List<Quota> state = read != null ? read : List.of(); // a failed read is not retried before the TTL either
        cache.put(caller.id(), state);
        return state;
    }

    private @Nullable List<Quota> read(Caller caller) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Authorization", "Bearer " + caller.token())
                .header("Accept", "application/json")
                .GET()
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                warn("The usage owner at " + endpoint + " answered HTTP " + response.statusCode()
                        + " for quota state; not enforcing quotas for now");
                return null;
            }
            List<Quota> quotas = new ArrayList<>();
            for (JsonNode q : JSON.readTree(response.body()).path("quotas")) {
                JsonNode limit = q.path("limit");
                JsonNode resets = q.path("resetsAt");
                quotas.add(new Quota(
                        q.path("name").asString(),
                        limit.isNumber() ? limit.asLong() : null,
                        q.path("used").asLong(),
                        resets.isString() ? Instant.parse(resets.asString()) : null));
            }
            return quotas;
        } catch (IOException | RuntimeException e) {
            warn("Cannot read quota state from " + endpoint + "; not enforcing quotas for now: " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void warn(String message) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn("{} (logged at most once a minute)", message);
        }
    }
}
