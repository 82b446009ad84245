package ai.agency.orchestration.chat;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the chat turn beyond the window and tools ({@code agency.orchestration.chat.*}).
 *
 * @param personalize whether the caller's profile ({@code profileRole}, {@code preferences} from auth-service) goes
 *     into the system prompt
 * @param profileCacheTtl how long a caller's profile is reused before auth-service is asked again
 * @param summarize whether messages that fall out of the window ({@code history-messages}) are summarised into a
 *     running summary kept on the conversation and put in the prompt
 * @param summaryMaxLength the longest running summary kept, in characters
 * @param backgroundConcurrency memory extractions and summaries running at once after turns ({@link BackgroundWork})
 * @param backgroundQueue such tasks waiting at most; beyond that they are dropped and counted
 * @param maxTurnsPerUser chat turns of one user running at once ({@link ChatAdmission})
 * @param maxConcurrentTurns chat turns of all users running at once on this instance; 0 (the default): adaptive,
 *     between 1 and 64 per processor, from how long turns take to prepare ({@link ChatAdmission})
 * @param turnQueueWait how long a turn waits for a slot before it is shed with a 429
 * @param turnPrepareLatency the adaptive limit's bar: a turn that takes longer from admission until its memory recall
 *     has answered means the instance is overloaded, and the limit backs off
 */
@Validated
@ConfigurationProperties("agency.orchestration.chat")
record ChatProperties(
        @DefaultValue("true") boolean personalize,
        @DefaultValue("30s") Duration profileCacheTtl,
        @DefaultValue("true") boolean summarize,
        @DefaultValue("2000") @Min(200) @Max(20000) int summaryMaxLength,
        @DefaultValue("4") @Min(1) @Max(256) int backgroundConcurrency,
        @DefaultValue("10000") @Min(0) @Max(1000000) int backgroundQueue,
        @DefaultValue("4") @Min(1) @Max(1000) int maxTurnsPerUser,
        @DefaultValue("0") @Min(0) @Max(100000) int maxConcurrentTurns,
        @DefaultValue("500ms") Duration turnQueueWait,
        @DefaultValue("250ms") Duration turnPrepareLatency) {

    ChatProperties {
        if (turnPrepareLatency == null
                || turnPrepareLatency.compareTo(Duration.ofMillis(10)) < 0
                || turnPrepareLatency.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException(
                    "agency.orchestration.chat.turn-prepare-latency must be between 10ms and 1m, was "
                            + turnPrepareLatency);
        }
        if (turnQueueWait == null
                || turnQueueWait.isNegative()
                || turnQueueWait.compareTo(Duration.ofSeconds(30)) > 0) {
            throw new IllegalArgumentException(
                    "agency.orchestration.chat.turn-queue-wait must be between 0s and 30s, was " + turnQueueWait);
        }
    }
}
