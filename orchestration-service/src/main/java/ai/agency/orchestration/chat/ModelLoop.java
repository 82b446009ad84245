package ai.agency.orchestration.chat;

import ai.agency.orchestration.OrchestrationProperties;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The rounds of a turn: the agent's model is called (streamed or not, rate limits retried) with the agent's tools; the
 * tool calls it returns are run ({@link ToolRound}) and their results go back to it, at most {@code max-tool-rounds}
 * times; then it is called without tools, so that it must answer. In Spring AI 2 the model does not run tools itself.
 */
@Component
class ModelLoop {

    private final RemoteTools tools;
    private final ToolRound toolRound;
    private final ProviderRetry retry;
    private final ChatMetrics metrics;
    private final OrchestrationProperties properties;
    private final Tracer tracer;

    ModelLoop(
            RemoteTools tools,
            ToolRound toolRound,
            ProviderRetry retry,
            ChatMetrics metrics,
            OrchestrationProperties properties,
            ObjectProvider<Tracer> tracer) {
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
        this.tools = tools;
        this.toolRound = toolRound;
        this.retry = retry;
        this.metrics = metrics;
        this.properties = properties;
    }

    /** Runs the rounds on {@code messages} (the prompt window, which grows by each round's calls and results). */
    void run(Turn turn, List<Message> messages, TurnState state) {
        List<ToolCallback> callbacks = tools.callbacks(turn.agent().tools(), turn.bearer());
        Map<String, ToolCallback> byName = new LinkedHashMap<>();
        callbacks.forEach(c -> byName.put(c.getToolDefinition().name(), c));
        for (int round = 0; ; round++) {
            boolean toolsAllowed = round < properties.maxToolRounds() && !callbacks.isEmpty();
            Prompt prompt = new Prompt(messages, turn.model().options(toolsAllowed ? callbacks : List.of()));
            AgentModel.Step step = step(turn, prompt, state);
            state.answered(step);
            state.handle().check();
            state.addUsage(step);
            if (step.toolCalls().isEmpty() || !toolsAllowed) {
                return;
            }
            state.addToolRound();
            messages.add(AssistantMessage.builder()
                    .content(step.text())
                    .toolCalls(step.toolCalls())
                    .build());
            messages.add(toolRound.run(step.toolCalls(), byName, state));
        }
    }

    /**
     * One model call, as a span of its own ({@code model <provider>}, with the model's name and whether it streamed);
     * a streamed one measures the turn's first token.
     */
    private AgentModel.Step step(Turn turn, Prompt prompt, TurnState state) {
        AgentModel model = turn.model();
        Span span = tracer.nextSpan()
                .name("model " + model.provider())
                .tag("agency.model.provider", model.provider())
                .tag("agency.model.name", model.name())
                .tag("agency.model.streamed", Boolean.toString(state.streaming()))
                .start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            return call(turn, prompt, state);
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private AgentModel.Step call(Turn turn, Prompt prompt, TurnState state) {
        AgentModel model = turn.model();
        state.streamed().setLength(0);
        return retry.run(
                model.provider(),
                emitted -> state.streaming()
                        ? model.stream(prompt, state.events(), state.handle(), state.streamed(), () -> {
                            emitted.set(true);
                            if (state.tokenReceived()) {
                                metrics.firstToken(
                                        model.provider(),
                                        model.name(),
                                        Duration.between(turn.receivedAt(), Instant.now()));
                            }
                        })
                        : model.call(prompt));
    }
}
