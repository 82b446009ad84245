package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.orchestration.OrchestrationApiTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;

/**
 * The retries of one model step on their own, with the tests' settings ({@code max-attempts} 3, {@code max-total}
 * 30 s): only a rate limit is tried again, never a step that already streamed, never past the attempts or the budget.
 */
class ProviderRetryTest extends OrchestrationApiTest {

    @Autowired
    ProviderRetry retry;

    @Autowired
    MeterRegistry meters;

    private final String provider = "retry-test-" + UUID.randomUUID();

    private static HttpClientErrorException rateLimited(String retryAfter) {
        HttpHeaders headers = new HttpHeaders();
        headers.add(HttpHeaders.RETRY_AFTER, retryAfter);
        return (HttpClientErrorException) HttpClientErrorException.create(
                HttpStatus.TOO_MANY_REQUESTS, "Too Many Requests", headers, new byte[0], StandardCharsets.UTF_8);
    }

    private double retries() {
        var counter = meters.find("agency.chat.provider.retries")
                .tag("provider", provider)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aRateLimitedStepIsTriedAgainAndEachRetryIsCounted() {
        AtomicInteger attempts = new AtomicInteger();
        String answer = retry.run(provider, emitted -> {
            if (attempts.incrementAndGet() < 3) {
                throw rateLimited("0");
            }
            return "answered";
        });

        assertThat(answer).isEqualTo("answered");
        assertThat(attempts).hasValue(3);
        assertThat(retries()).isEqualTo(2);
    }

    @Test
    void aStepThatAlreadyStreamedIsNotRepeated() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run(provider, emitted -> {
                    attempts.incrementAndGet();
                    emitted.set(true);
                    throw rateLimited("0");
                }))
                .isInstanceOf(HttpClientErrorException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void anOutageIsNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run(provider, emitted -> {
                    attempts.incrementAndGet();
                    throw HttpServerErrorException.create(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "Unavailable",
                            new HttpHeaders(),
                            new byte[0],
                            StandardCharsets.UTF_8);
                }))
                .isInstanceOf(HttpServerErrorException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aCancelledTurnIsNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run(provider, emitted -> {
                    attempts.incrementAndGet();
                    throw new TurnEvents.Cancelled(rateLimited("0"));
                }))
                .isInstanceOf(TurnEvents.Cancelled.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void attemptsStopAtMaxAttempts() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run(provider, emitted -> {
                    attempts.incrementAndGet();
                    throw rateLimited("0");
                }))
                .isInstanceOf(HttpClientErrorException.class);
        assertThat(attempts).hasValue(3);
        assertThat(retries()).isEqualTo(2);
    }

    @Test
    void aRetryAfterBeyondTheBudgetIsNotWaitedFor() {
        AtomicInteger attempts = new AtomicInteger();
        long started = System.nanoTime();
        assertThatThrownBy(() -> retry.run(provider, emitted -> {
                    attempts.incrementAndGet();
                    throw rateLimited("3600");
                }))
                .isInstanceOf(HttpClientErrorException.class);
        assertThat(attempts).hasValue(1);
        assertThat(System.nanoTime() - started).isLessThan(5_000_000_000L);
        assertThat(retries()).isZero();
    }
}
