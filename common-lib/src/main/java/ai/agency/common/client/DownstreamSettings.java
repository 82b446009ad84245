package ai.agency.common.client;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of one downstream service, bound from {@code agency.clients.<name>.*}, e.g.
 * {@code agency.clients.memory.base-url=http://localhost:8082} (environment {@code AGENCY_CLIENTS_MEMORY_BASE_URL}).
 *
 * @param baseUrl where it answers
 * @param connectTimeout time to open a connection
 * @param readTimeout time to wait for the answer
 * @param maxAttempts attempts for idempotent calls (1 = no retry); non-idempotent calls are never retried
 * @param initialBackoff first wait between attempts; doubles each time, with jitter
 * @param maxConcurrentCalls bulkhead: calls in flight at once; more wait up to {@code maxWait}, then fail
 * @param maxWait how long a call waits for a bulkhead slot (a burst queues briefly instead of failing at once)
 * @param failureRateThreshold circuit breaker: % of failed calls (in the last {@code slidingWindowSize}) that
 *     opens it
 * @param slidingWindowSize circuit breaker: calls it looks at
 * @param openStateWait circuit breaker: how long it stays open before letting trial calls through
 * @param maxRetryAfter an idempotent call answered 429 or 503 with a {@code Retry-After} up to this long is retried
 *     after that wait (at least); a longer {@code Retry-After} is returned to the caller at once
 */
public record DownstreamSettings(
        String baseUrl,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("10s") Duration readTimeout,
        @DefaultValue("3") int maxAttempts,
        @DefaultValue("200ms") Duration initialBackoff,
        @DefaultValue("64") int maxConcurrentCalls,
        @DefaultValue("500ms") Duration maxWait,
        @DefaultValue("50") float failureRateThreshold,
        @DefaultValue("20") int slidingWindowSize,
        @DefaultValue("10s") Duration openStateWait,
        @DefaultValue("2s") Duration maxRetryAfter) {

    public static DownstreamSettings defaults(String baseUrl) {
        return new DownstreamSettings(
                baseUrl,
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                3,
                Duration.ofMillis(200),
                64,
                Duration.ofMillis(500),
                50,
                20,
                Duration.ofSeconds(10),
                Duration.ofSeconds(2));
    }
}
