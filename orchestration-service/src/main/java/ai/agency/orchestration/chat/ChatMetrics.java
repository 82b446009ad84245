package ai.agency.orchestration.chat;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Chat metrics ({@code /actuator/prometheus}): {@code agency_chat_turn_seconds{provider,model,outcome}},
 * {@code agency_chat_first_token_seconds{provider,model}}, {@code agency_chat_tokens_total{provider,model,direction}}
 * and {@code agency_chat_tool_rounds{provider}}.
 */
@Component
class ChatMetrics {

    private final MeterRegistry registry;

    ChatMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void turn(String provider, String model, String outcome, Duration duration, int toolRounds) {
        Timer.builder("agency.chat.turn")
                .description("Duration of one chat turn")
                .tags("provider", provider, "model", model, "outcome", outcome)
                .register(registry)
                .record(duration);
        DistributionSummary.builder("agency.chat.tool.rounds")
                .description("Tool rounds per chat turn")
                .tags("provider", provider)
                .register(registry)
                .record(toolRounds);
    }

    void firstToken(String provider, String model, Duration latency) {
        Timer.builder("agency.chat.first.token")
                .description("Time from the request to the first streamed token")
                .tags("provider", provider, "model", model)
                .register(registry)
                .record(latency);
    }

    void tokens(String provider, String model, long in, long out) {
        registry.counter("agency.chat.tokens", "provider", provider, "model", model, "direction", "in")
                .increment(in);
        registry.counter("agency.chat.tokens", "provider", provider, "model", model, "direction", "out")
                .increment(out);
    }
}
