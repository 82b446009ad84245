package ai.agency.orchestration.chat;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.RateLimitedException;
import ai.agency.common.limit.UserConcurrencyLimit;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Admission of chat turns (issue 18): at most {@code max-turns-per-user} turns of one user and
 * {@code max-concurrent-turns} of all users run at once on this instance; a turn past them waits up to
 * {@code turn-queue-wait}, then is shed with a 429 {@code rate_limit} and {@code Retry-After}, before its stream starts
 * (over the WebSocket: an {@code error {errorType: "rate_limit"}} frame).
 *
 * <p>Before, every turn was admitted: at twice the saturation rate the turns queued on the CPU, p99 grew to 13–32 s,
 * and the turns' own memory and tool calls were refused by the bulkheads behind them (recall turns failed) — load that
 * should have been shed at the door was turned into slow, broken answers. Both refusals are 429s here, the service's
 * total too: the service is alive and shedding load, and a client should come back shortly.
 */
@Component
class ChatAdmission {

    private final UserConcurrencyLimit turns;

    ChatAdmission(ChatProperties properties, MeterRegistry meters) {
        this.turns = new UserConcurrencyLimit(
                "chat turns",
                properties.maxTurnsPerUser(),
                properties.maxConcurrentTurns(),
                properties.turnQueueWait(),
                meters);
    }

    /** Takes a slot for a turn of {@code user}; close the permit when the turn has ended. */
    UserConcurrencyLimit.Permit admit(UUID user) {
        try {
            return turns.acquire(user);
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
}
