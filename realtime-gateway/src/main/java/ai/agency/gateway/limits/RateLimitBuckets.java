package ai.agency.gateway.limits;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;

/** Where the REST rate limits' token buckets live: this replica's memory, or PostgreSQL shared by every replica. */
public interface RateLimitBuckets {

    /**
     * Takes one token from the bucket {@code key}, creating it with {@code configuration} when it does not exist yet.
     * Never throws because a store is unavailable.
     */
    ConsumptionProbe tryConsume(String key, BucketConfiguration configuration);
}
