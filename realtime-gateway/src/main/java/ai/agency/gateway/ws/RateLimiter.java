package ai.agency.gateway.ws;

import ai.agency.gateway.GatewayProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** A token bucket per user for the frames they send on any of their connections. */
@Component
public class RateLimiter {

    private static final class Bucket {
        private double tokens;
        private long refilledAt = System.nanoTime();

        Bucket(double tokens) {
            this.tokens = tokens;
        }
    }

    private final int capacity;
    private final double perNano;
    private final Cache<UUID, Bucket> buckets =
            Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).build();

    RateLimiter(GatewayProperties properties) {
        this.capacity = properties.realtime().rateCapacity();
        this.perNano = properties.realtime().ratePerSecond() / 1e9;
    }

    /** Takes one token; false when the user's budget is spent. */
    boolean tryAcquire(UUID userId) {
        Bucket bucket = buckets.get(userId, id -> new Bucket(capacity));
        synchronized (bucket) {
            long now = System.nanoTime();
            bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.refilledAt) * perNano);
            bucket.refilledAt = now;
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens -= 1;
            return true;
        }
    }
}
