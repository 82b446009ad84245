package ai.agency.orchestration.chat;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.RateLimitedException;
import ai.agency.common.limit.UserConcurrencyLimit;
import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * Admission of chat turns: at most {@code max-turns-per-user} turns of one user and a total of all users run
 * at once on this instance; a turn past them waits up to {@code turn-queue-wait}, then is shed with a 429
 * {@code rate_limit} and {@code Retry-After}, before its stream starts (over the WebSocket: an
 * {@code error {errorType: "rate_limit", retryAfter}} frame).
 *
 * <p>The total adapts by default ({@code max-concurrent-turns: 0}): an AIMD limit (Netflix concurrency-limits) between
 * one and 64 turns per processor, starting at 4, measured on each turn's <em>preparation</em> — from admission until its
 * memory recall has answered (database reads, the user's message stored, recall with its embedding). That stage is our
 * own work, never the model provider's, so the signal is the same whether the model answers in 5 ms (the local
 * provider) or in 20 s (a remote one): a preparation slower than {@code turn-prepare-latency} means this instance's
 * CPU or database is overloaded and the limit backs off by 10 %; otherwise, while at least half of it is used, it grows
 * by one. A fixed total (the measurement on two cores chose 4 per processor) would starve a remote provider — its
 * turns spend seconds waiting, not computing — and overload the local one; the adaptive one does neither.
 *
 * <p>Before, every turn was admitted: at twice the saturation rate the turns queued on the CPU, p99 grew to 13–32 s,
 * and the turns' own memory and tool calls were refused by the bulkheads behind them (recall turns failed) — load that
 * should have been shed at the door was turned into slow, broken answers. Both refusals are 429s here, the service's
 * total too: the service is alive and shedding load, and a client should come back shortly.
 */
@Component
class ChatAdmission {

    private final UserConcurrencyLimit turns;
    private final Limit limit;

    ChatAdmission(ChatProperties properties, MeterRegistry meters) {
        int processors = Runtime.getRuntime().availableProcessors();
        boolean adaptive = properties.maxConcurrentTurns() == 0;
        int initial = adaptive ? 4 * processors : properties.maxConcurrentTurns();
        this.turns = new UserConcurrencyLimit(
                "chat turns", properties.maxTurnsPerUser(), initial, properties.turnQueueWait(), meters);
        if (adaptive) {
            this.limit = AIMDLimit.newBuilder()
                    .initialLimit(initial)
                    .minLimit(processors)
                    .maxLimit(64 * processors)
                    .backoffRatio(0.9)
                    .timeout(properties.turnPrepareLatency().toNanos(), TimeUnit.NANOSECONDS)
                    .build();
            this.limit.notifyOnChange(turns::resizeTotal);
        } else {
            this.limit = null;
        }
        Gauge.builder("agency.chat.admission.limit", turns, UserConcurrencyLimit::totalSlots)
                .description("Chat turns of all users this instance admits at once now (adaptive unless fixed)")
                .register(meters);
    }

    /**
     * Takes a slot for a turn of {@code user}; call {@link Admitted#prepared()} when the turn is ready for the model,
     * and close it when the turn has ended.
     */
    Admitted admit(UUID user) {
        try {
            return new Admitted(turns.acquire(user));
        } catch (RateLimitedException refused) {
            throw refused;
        } catch (AgencyException busy) {
            if (busy.errorType() != ErrorType.RESOURCE_EXHAUSTED) {
                throw busy;
            }
            throw new RateLimitedException(
                    "The service is answering as many chat turns as it can; try again in a moment", 1);
        }
    }

    int inFlight() {
        return turns.inFlight();
    }

    /** Turns of all users admitted at once now. */
    int limit() {
        return turns.totalSlots();
    }

    /** An admitted turn. */
    final class Admitted implements UserConcurrencyLimit.Permit {
        private final UserConcurrencyLimit.Permit permit;
        private final long admittedNanos = System.nanoTime();
        private final AtomicBoolean sampled = new AtomicBoolean();

        private Admitted(UserConcurrencyLimit.Permit permit) {
            this.permit = permit;
        }

        /** The turn is ready for the model (its recall has answered): its preparation time is the limit's sample. */
        void prepared() {
            if (limit != null && sampled.compareAndSet(false, true)) {
                long rtt = System.nanoTime() - admittedNanos;
                limit.onSample(admittedNanos, rtt, turns.inFlight(), false);
            }
        }

        /** {@code events} that report {@link #prepared()} when the turn tells its recall ({@code memory}). */
        TurnEvents watching(TurnEvents events) {
            return (name, data) -> {
                if ("memory".equals(name)) {
                    prepared();
                }
                events.emit(name, data);
            };
        }

        @Override
        public void close() {
            permit.close();
        }
    }
}
