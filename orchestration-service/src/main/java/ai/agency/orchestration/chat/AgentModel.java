package ai.agency.orchestration.chat;

import ai.agency.orchestration.agent.Agent;
import ai.agency.orchestration.model.ChatProviders;
import ai.agency.orchestration.model.LocalChatModel;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/**
 * The model that answers for an agent: the provider's name (for metrics and messages), its {@link ChatModel}, and the
 * model name and temperature the agent asks for. One call to it — whole or streamed as {@code token} events — is one
 * {@link Step}.
 */
record AgentModel(String provider, ChatModel chatModel, String name, Double temperature) {

    /** The agent's provider (the default one when it names none); a provider that is not configured is a 503. */
    static AgentModel of(Agent agent, ChatProviders providers, String defaultModel) {
        String provider = providers.resolveName(agent.model().provider());
        ChatModel model = providers.get(provider);
        return new AgentModel(
                provider, model, name(model, agent, defaultModel), agent.model().temperature());
    }

    private static String name(ChatModel model, Agent agent, String defaultModel) {
        if (model instanceof LocalChatModel) {
            return LocalChatModel.MODEL;
        }
        if (agent.model().name() != null && !agent.model().name().isBlank()) {
            return agent.model().name();
        }
        ChatOptions defaults = model.getDefaultOptions();
        return defaults != null && defaults.getModel() != null ? defaults.getModel() : defaultModel;
    }

    /** The provider's own default options (base URL, key, ...) with this agent's model, temperature and tools. */
    ChatOptions options(List<ToolCallback> callbacks) {
        ChatOptions defaults = chatModel.getDefaultOptions();
        ChatOptions.Builder<?> builder = defaults == null ? ToolCallingChatOptions.builder() : defaults.mutate();
        builder.model(name);
        if (temperature != null) {
            builder.temperature(temperature);
        }
        if (builder instanceof ToolCallingChatOptions.Builder<?> tooling) {
            tooling.toolCallbacks(callbacks);
        }
        return builder.build();
    }

    /** What one model call produced. */
    record Step(String text, List<AssistantMessage.ToolCall> toolCalls, long promptTokens, long completionTokens) {}

    /** One call for the whole answer. */
    Step call(Prompt prompt) {
        ChatResponse response = chatModel.call(prompt);
        StringBuilder text = new StringBuilder();
        ToolCallMerger calls = new ToolCallMerger();
        for (Generation generation : response.getResults()) {
            AssistantMessage output = generation.getOutput();
            if (output.getText() != null) {
                text.append(output.getText());
            }
            output.getToolCalls().forEach(calls::add);
        }
        Usage usage =
                response.getMetadata() == null ? null : response.getMetadata().getUsage();
        return new Step(text.toString(), calls.result(), tokens(usage, true), tokens(usage, false));
    }

    /**
     * Streams one call, emitting {@code token} events and appending them to {@code text} as they come; the turn's
     * cancel cuts the stream, and closing the stream cancels the provider call.
     */
    Step stream(
            Prompt prompt, TurnEvents events, ActiveTurns.Handle handle, StringBuilder text, Runnable onFirstToken) {
        ToolCallMerger calls = new ToolCallMerger();
        long promptTokens = 0;
        long completionTokens = 0;
        try (Stream<ChatResponse> chunks =
                chatModel.stream(prompt).takeUntilOther(handle.whenCancelled()).toStream()) {
            Iterator<ChatResponse> iterator = chunks.iterator();
            while (iterator.hasNext()) {
                ChatResponse chunk = iterator.next();
                for (Generation generation : chunk.getResults()) {
                    AssistantMessage output = generation.getOutput();
                    if (output == null) {
                        continue;
                    }
                    String piece = output.getText();
                    if (piece != null && !piece.isEmpty()) {
                        onFirstToken.run();
                        events.emit("token", Map.of("text", piece));
                        text.append(piece);
                    }
                    output.getToolCalls().forEach(calls::add);
                }
                Usage usage =
                        chunk.getMetadata() == null ? null : chunk.getMetadata().getUsage();
                if (tokens(usage, true) > 0 || tokens(usage, false) > 0) {
                    promptTokens = tokens(usage, true);
                    completionTokens = tokens(usage, false);
                }
            }
        }
        return new Step(text.toString(), calls.result(), promptTokens, completionTokens);
    }

    private static long tokens(Usage usage, boolean prompt) {
        if (usage == null) {
            return 0;
        }
        Integer value = prompt ? usage.getPromptTokens() : usage.getCompletionTokens();
        return value == null ? 0 : value;
    }
}
