package ai.agency.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.time.Duration;

/**
 * Buckets in this replica's memory ({@code agency.gateway.rate-limit.mode=local}, and the fallback of {@link
 * SharedBuckets} while PostgreSQL is unavailable): no I/O, but with N replicas behind a balancer a caller gets up to N
 * times the limit. Idle buckets are dropped after an hour (at most 100 000 kept).
 */
public class LocalBuckets implements RateLimitBuckets {

    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofHours(1))
            .maximumSize(100_000)
            .build();

    @Override
    public ConsumptionProbe tryConsume(String key, BucketConfiguration configuration) {
        return buckets.get(key, k -> {
                    LocalBucketBuilder builder = Bucket.builder();
                    for (Bandwidth bandwidth : configuration.getBandwidths()) {
                        builder.addLimit(bandwidth);
                    }
                    return builder.build();
                })
                .tryConsumeAndReturnRemaining(1);
    }
}
