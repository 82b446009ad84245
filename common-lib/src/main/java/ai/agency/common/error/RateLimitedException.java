package ai.agency.common.error;

/** A request refused because its caller went past a limit; answered 429 with {@code Retry-After}. */
public class RateLimitedException extends AgencyException {

    private final long retryAfterSeconds;

    public RateLimitedException(String detail, long retryAfterSeconds) {
        super(ErrorType.RATE_LIMIT, detail);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
