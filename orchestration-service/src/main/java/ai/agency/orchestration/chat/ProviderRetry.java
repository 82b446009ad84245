package ai.agency.orchestration.chat;

import ai.agency.common.error.ErrorType;
import ai.agency.orchestration.model.ProviderProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Tries a rate-limited model step (HTTP 429) again after the provider's {@code Retry-After} (else an exponential
 * backoff) while {@code agency.orchestration.providers.retry} allows: at most {@code max-attempts} calls and
 * {@code max-total} of waiting. Every other failure is thrown at once: an outage is not made worse by retries.
 */
@Component
class ProviderRetry {

    private static final Logger log = LoggerFactory.getLogger(ProviderRetry.class);

    private final ProviderProperties.Retry retry;
    private final ChatMetrics metrics;

    ProviderRetry(ProviderProperties properties, ChatMetrics metrics) {
        this.retry = properties.retry();
        this.metrics = metrics;
    }

    /**
     * Runs {@code step}, which sets the flag it is given once it has streamed something: a step that already streamed
     * tokens is not repeated (the client has seen them). A cancelled turn is never retried.
     */
    <T> T run(String provider, Function<AtomicBoolean, T> step) {
        Instant deadline = Instant.now().plus(retry.maxTotal());
        Duration backoff = retry.initialBackoff();
        for (int attempt = 1; ; attempt++) {
            AtomicBoolean emitted = new AtomicBoolean();
            try {
                return step.apply(emitted);
            } catch (TurnEvents.Cancelled cancelled) {
                throw cancelled;
            } catch (RuntimeException e) {
                ProviderFailure failure = ProviderFailure.of(e);
                if (failure.type() != ErrorType.RATE_LIMIT || emitted.get() || attempt >= retry.maxAttempts()) {
                    throw e;
                }
                Duration wait = failure.retryAfter() != null
                        ? failure.retryAfter()
                        : (backoff.compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : backoff);
                backoff = backoff.multipliedBy(2);
                if (Instant.now().plus(wait).isAfter(deadline)) {
                    log.info("provider {} rate limited; a wait of {} is beyond the retry budget", provider, wait);
                    throw e;
                }
                log.info("provider {} rate limited (attempt {}); retrying in {}", provider, attempt, wait);
                metrics.retry(provider);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
