package ai.agency.orchestration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * All settings of orchestration-service ({@code agency.orchestration.*}).
 *
 * @param defaultProvider the chat provider of agents that name none: {@code local}, {@code openai}, ...
 * @param defaultModel the model name of agents that name none (ignored by {@code local})
 * @param maxToolRounds how many times one turn may go model → tools → model before the model must answer
 * @param historyMessages how many recent messages of the conversation the prompt window keeps
 * @param maxContentLength the longest user message accepted, in characters
 * @param recallLimit how many memories are recalled for one turn
 * @param extractMemories whether new memories are extracted from each turn (memory-service add, infer=true)
 * @param toolsCacheTtl how long the list of tools from tool-service is reused
 * @param workflows how workflow runs are executed
 * @param channels how big a channel may be and how many of its deliveries run at once
 */
@Validated
@ConfigurationProperties("agency.orchestration")
public record OrchestrationProperties(
        @DefaultValue("local") @NotBlank String defaultProvider,
        @DefaultValue("gpt-4o-mini") @NotBlank String defaultModel,
        @DefaultValue("4") @Min(1) @Max(20) int maxToolRounds,
        @DefaultValue("20") @Min(2) @Max(200) int historyMessages,
        @DefaultValue("8000") @Min(1) @Max(100000) int maxContentLength,
        @DefaultValue("5") @Min(0) @Max(50) int recallLimit,
        @DefaultValue("true") boolean extractMemories,
        @DefaultValue("60s") Duration toolsCacheTtl,
        @DefaultValue @Valid Workflows workflows,
        @DefaultValue @Valid Channels channels) {

    /**
     * Limits of agent channels ({@code agency.orchestration.channels.*}): each post starts one agent turn per other
     * participant, so these bound what one request can cost.
     *
     * @param maxParticipants agents one channel may have (a post starts at most this many minus one turns)
     * @param concurrentDeliveriesPerUser messages of one user (the channel's owner) being delivered at once; a
     *     message's recipients are answered one after another, so this is also that user's channel turns at once
     * @param concurrentDeliveries messages being delivered at once by this instance, over all users
     * @param maxWait how long a post waits for a free delivery slot before it is refused (429 when the user's slots
     *     are busy, 503 when the instance's are)
     */
    public record Channels(
            @DefaultValue("20") @Min(2) @Max(1000) int maxParticipants,
            @DefaultValue("4") @Min(1) @Max(1000) int concurrentDeliveriesPerUser,
            @DefaultValue("64") @Min(1) @Max(10000) int concurrentDeliveries,
            @DefaultValue("2s") @DurationMax(seconds = 30) Duration maxWait) {}

    /**
     * Settings of the workflow engine ({@code agency.orchestration.workflows.*}).
     *
     * @param maxParallelStepsPerRun how many steps of one run execute at once
     * @param maxParallelSteps how many steps this service instance executes at once, over all runs
     * @param defaultStepTimeout the timeout of a step that names no {@code timeoutMs}
     * @param maxBackoff the longest wait between two attempts of a step
     * @param lease how long a service instance's claim on a run lasts without being renewed
     * @param recoveryInterval how often unclaimed or abandoned runs are looked for (and at start-up)
     * @param channelDeliveryAttempts how many times a channel message is offered to one recipient
     * @param runCredentials whether a run gets its own API key from auth-service, so that its steps can act as the
     *     user after the user's access token expired
     * @param credentialRefreshMargin a token that expires sooner than this is replaced by one exchanged from the
     *     run's API key
     * @param inlineStepsPerTransaction how many ready {@code transform} steps of a run the coordinator computes itself
     *     and commits in one transaction (with their events and whatever else that pass decided); 0 runs them like
     *     other steps, each on its own thread with a commit when it starts and one when it ends
     * @param schedules cron schedules of workflows
     * @param webhooks incoming webhooks that start workflows
     */
    public record Workflows(
            @DefaultValue("8") @Min(1) @Max(256) int maxParallelStepsPerRun,
            @DefaultValue("64") @Min(1) @Max(4096) int maxParallelSteps,
            @DefaultValue("5m") Duration defaultStepTimeout,
            @DefaultValue("60s") Duration maxBackoff,
            @DefaultValue("30s") Duration lease,
            @DefaultValue("10s") Duration recoveryInterval,
            @DefaultValue("3") @Min(1) @Max(10) int channelDeliveryAttempts,
            @DefaultValue("true") boolean runCredentials,
            @DefaultValue("60s") Duration credentialRefreshMargin,
            @DefaultValue("16") @Min(0) @Max(1000) int inlineStepsPerTransaction,
            @DefaultValue @Valid Schedules schedules,
            @DefaultValue @Valid Webhooks webhooks) {}

    /**
     * Cron schedules of workflows ({@code agency.orchestration.workflows.schedules.*}), executed by db-scheduler.
     *
     * @param enabled whether this instance polls for due ticks (every replica may; each tick runs once anyway)
     * @param pollingInterval how often this instance looks for due ticks (a tick starts its run up to this late)
     * @param threads how many ticks this instance handles at once
     * @param missedAfter a tick handled later than this after its time was missed (everything was down): the
     *     schedule's {@code missedPolicy} decides whether it still runs (once) or is skipped
     * @param maxPerUser how many schedules one user may have
     * @param maxInputSize the largest {@code input} a schedule may hold, in bytes of JSON
     */
    public record Schedules(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("5s") @DurationMin(millis = 50) Duration pollingInterval,
            @DefaultValue("4") @Min(1) @Max(64) int threads,
            @DefaultValue("60s") @DurationMin(seconds = 1) Duration missedAfter,
            @DefaultValue("100") @Min(1) @Max(100000) int maxPerUser,
            @DefaultValue("65536") @Min(2) @Max(1048576) int maxInputSize) {}

    /**
     * Incoming webhooks that start workflows ({@code agency.orchestration.workflows.webhooks.*}).
     *
     * @param publicUrl the platform's public URL (the gateway's) that webhook URLs start with
     * @param maxBodySize the largest delivery body accepted, in bytes (larger: 413)
     * @param tolerance how far a delivery's signed timestamp may be from now (else 401: a replay)
     * @param rotationGrace how long the previous secret stays valid after a rotation
     * @param deliveryRetention how long delivery ids are remembered to answer repeated deliveries with their run
     * @param maxPerUser how many webhooks one user may have
     */
    public record Webhooks(
            @DefaultValue("http://localhost:8080") @NotBlank String publicUrl,
            @DefaultValue("262144") @Min(2) @Max(10485760) int maxBodySize,
            @DefaultValue("300s") @DurationMin(seconds = 1) Duration tolerance,
            @DefaultValue("24h") Duration rotationGrace,
            @DefaultValue("30d") @DurationMin(hours = 1) Duration deliveryRetention,
            @DefaultValue("100") @Min(1) @Max(100000) int maxPerUser) {}
}
