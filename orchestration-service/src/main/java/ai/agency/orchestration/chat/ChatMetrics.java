package ai.agency.orchestration.chat;

import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.model.ChatProviders;
import ai.agency.orchestration.model.LocalChatModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.stereotype.Component;

/**
 * Chat metrics ({@code /actuator/prometheus}): {@code agency_chat_turn_seconds{provider,model,outcome}} (outcome
 * {@code complete}, {@code degraded} — answered without a part that could not run —, {@code failed},
 * {@code cancelled}) and
 * {@code agency_chat_first_token_seconds{provider,model}} (histograms), {@code
 * agency_chat_tokens_total{provider,model,direction}}, {@code agency_chat_tool_rounds{provider}} (per turn) and
 * {@code agency_chat_provider_retries_total{provider}} (rate-limited calls tried again). The series of the default
 * provider and model are registered at start (at zero), so dashboards and alerts see them before the first turn.
 */
@Component
class ChatMetrics {

    /** A turn that answered, but without a part that could not run (memory recall, a tool call). */
    static final String DEGRADED = "degraded";

    static final List<String> OUTCOMES = List.of("complete", DEGRADED, "failed", "cancelled");

    private final MeterRegistry registry;

    ChatMetrics(MeterRegistry registry, ChatProviders providers, OrchestrationProperties properties) {
        this.registry = registry;
        String provider = providers.resolveName(null);
        ChatModel model = providers.get(provider);
        ChatOptions defaults = model.getDefaultOptions();
        String name = model instanceof LocalChatModel
                ? LocalChatModel.MODEL
                : defaults != null && defaults.getModel() != null ? defaults.getModel() : properties.defaultModel();
        OUTCOMES.forEach(outcome -> turnTimer(provider, name, outcome));
        firstTokenTimer(provider, name);
        tokenCounter(provider, name, "in");
        tokenCounter(provider, name, "out");
        toolRounds(provider);
        retries(provider);
    }

    void turn(String provider, String model, String outcome, Duration duration, int toolRounds) {
        turnTimer(provider, model, outcome).record(duration);
        toolRounds(provider).record(toolRounds);
    }

    void firstToken(String provider, String model, Duration latency) {
        firstTokenTimer(provider, model).record(latency);
    }

    void retry(String provider) {
        retries(provider).increment();
    }

    void tokens(String provider, String model, long in, long out) {
        tokenCounter(provider, model, "in").increment(in);
        tokenCounter(provider, model, "out").increment(out);
    }

    private Timer turnTimer(String provider, String model, String outcome) {
        return Timer.builder("agency.chat.turn")
                .description("Duration of one chat turn")
                .publishPercentileHistogram()
                .tags("provider", provider, "model", model, "outcome", outcome)
                .register(registry);
    }

    private Timer firstTokenTimer(String provider, String model) {
        return Timer.builder("agency.chat.first.token")
                .description("Time from the request to the first token of the answer reaching the client")
                .publishPercentileHistogram()
                .tags("provider", provider, "model", model)
                .register(registry);
    }

    private Counter tokenCounter(String provider, String model, String direction) {
        return Counter.builder("agency.chat.tokens")
                .description("Tokens sent to (in) and received from (out) the model")
                .tags("provider", provider, "model", model, "direction", direction)
                .register(registry);
    }

    private DistributionSummary toolRounds(String provider) {
        return DistributionSummary.builder("agency.chat.tool.rounds")
                .description("Tool rounds per chat turn")
                .tags("provider", provider)
                .register(registry);
    }

    private Counter retries(String provider) {
        return Counter.builder("agency.chat.provider.retries")
                .description("Rate-limited model calls tried again")
                .tags("provider", provider)
                .register(registry);
    }
}
