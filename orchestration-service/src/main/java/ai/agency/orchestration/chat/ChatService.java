package ai.agency.orchestration.chat;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.error.RateLimitedException;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.agent.Agent;
import ai.agency.orchestration.agent.AgentService;
import ai.agency.orchestration.conversation.Conversation;
import ai.agency.orchestration.conversation.ConversationService;
import ai.agency.orchestration.conversation.StoredMessage;
import ai.agency.orchestration.model.ChatProviders;
import ai.agency.orchestration.model.LocalChatModel;
import ai.agency.orchestration.model.MemoryBlock;
import ai.agency.orchestration.model.ProviderProperties;
import ai.agency.orchestration.model.SummaryPrompt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One chat turn (architecture.md): load agent and window, recall memories, call the agent's model with its tools as
 * Spring AI tool callbacks, execute the tool calls it returns through tool-service and feed the results back (at most
 * {@code max-tool-rounds} times), stream the events, persist the turn, then extract new memories in the background.
 */
@Service
class ChatService {

    private static final Logger log = LoggerFactory.getLogger(ChatService.class);

    private final ConversationService conversations;
    private final AgentService agents;
    private final ChatProviders providers;
    private final RemoteTools tools;
    private final MemoryRecall memory;
    private final Profiles profiles;
    private final ActiveTurns active;
    private final ChatProperties chat;
    private final ChatMetrics metrics;
    private final OrchestrationProperties properties;
    private final ProviderProperties.Retry retry;
    private final JsonMapper json;
    private final BackgroundWork background;

    ChatService(
            ConversationService conversations,
            AgentService agents,
            ChatProviders providers,
            RemoteTools tools,
            MemoryRecall memory,
            Profiles profiles,
            ActiveTurns active,
            ChatProperties chat,
            ChatMetrics metrics,
            OrchestrationProperties properties,
            ProviderProperties providerProperties,
            JsonMapper json,
            BackgroundWork background) {
        this.conversations = conversations;
        this.agents = agents;
        this.providers = providers;
        this.tools = tools;
        this.memory = memory;
        this.profiles = profiles;
        this.active = active;
        this.chat = chat;
        this.metrics = metrics;
        this.properties = properties;
        this.retry = providerProperties.retry();
        this.json = json;
        this.background = background;
    }

    /** A checked request, ready to run: everything that can be refused with a 4xx is refused here. */
    record Turn(Caller caller, Conversation conversation, Agent agent, String content, Instant receivedAt) {}

    Turn prepare(Caller caller, UUID conversationId, ChatRequest request) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot send messages");
        }
        if (request.content().length() > properties.maxContentLength()) {
            throw AgencyException.invalidField(
                    "content", "must be at most " + properties.maxContentLength() + " characters");
        }
        Conversation conversation = conversations.get(caller, conversationId);
        Agent agent = agents.get(caller, conversation.agentId());
        providers.get(agent.model().provider());
        return new Turn(caller, conversation, agent, request.content().strip(), Instant.now());
    }

    StoredMessage run(Turn turn, TurnEvents events, boolean streaming) {
        Caller caller = turn.caller();
        UUID conversationId = turn.conversation().id();
        String bearer = "Bearer " + caller.token();
        String provider = providers.resolveName(turn.agent().model().provider());
        ChatModel model = providers.get(provider);
        String modelName = modelName(model, turn.agent());

        List<StoredMessage> history = conversations.recent(caller, conversationId, properties.historyMessages());
        long earlier = conversations.count(caller, conversationId) - history.size();
        conversations.append(
                caller,
                new StoredMessage(
                        UUID.randomUUID(),
                        conversationId,
                        StoredMessage.USER,
                        turn.content(),
                        null,
                        null,
                        "complete",
                        null,
                        null,
                        null,
                        null));

        UUID answerId = UUID.randomUUID();
        ActiveTurns.Handle handle = active.start(answerId, conversationId, caller.id());
        TurnEvents client = events;
        events = (name, data) -> {
            handle.check();
            client.emit(name, data);
        };
        StringBuilder answer = new StringBuilder();
        ArrayNode toolCalls = json.createArrayNode();
        ArrayNode memoriesUsed = json.createArrayNode();
        long[] usage = new long[2];
        int rounds = 0;
        String status = "complete";
        ProviderFailure failure = null;
        String failureMessage = null;
        boolean[] firstToken = {false};
        StringBuilder streamed = new StringBuilder(); // what the current model step has streamed so far
        Map<String, String> skipped = new LinkedHashMap<>(); // parts of the turn that could not run, and why
        try {
            events.emit("start", Map.of("messageId", answerId, "conversationId", conversationId));
            MemoryRecall.Recall recall = memory.recall(bearer, turn.content());
            recall.used().forEach(memoriesUsed::add);
            Map<String, Object> memoryEvent = new LinkedHashMap<>();
            memoryEvent.put("used", recall.used());
            memoryEvent.put("available", recall.available());
            if (recall.note() != null) {
                memoryEvent.put("note", recall.note());
            }
            events.emit("memory", memoryEvent);
            if (!recall.available()) {
                degrade(events, skipped, Degraded.MEMORY, recall.note());
            }

            Profiles.Profile profile = profiles.of(caller);
            List<Message> messages = window(turn, history, earlier, recall, profile);
            List<ToolCallback> callbacks = tools.callbacks(turn.agent().tools(), bearer);
            Map<String, ToolCallback> byName = new LinkedHashMap<>();
            callbacks.forEach(c -> byName.put(c.getToolDefinition().name(), c));

            for (int round = 0; ; round++) {
                boolean toolsAllowed = round < properties.maxToolRounds() && !callbacks.isEmpty();
                Prompt prompt = new Prompt(
                        messages, options(model, modelName, turn.agent(), toolsAllowed ? callbacks : List.of()));
                TurnEvents sink = events;
                streamed.setLength(0);
                Step step = withRetries(
                        provider,
                        emitted -> streaming
                                ? stream(model, prompt, sink, handle, streamed, () -> {
                                    emitted.set(true);
                                    if (!firstToken[0]) {
                                        firstToken[0] = true;
                                        metrics.firstToken(
                                                provider,
                                                modelName,
                                                Duration.between(turn.receivedAt(), Instant.now()));
                                    }
                                })
                                : call(model, prompt));
                streamed.setLength(0);
                answer.append(step.text());
                handle.check();
                usage[0] += step.promptTokens();
                usage[1] += step.completionTokens();
                if (step.toolCalls().isEmpty() || !toolsAllowed) {
                    break;
                }
                rounds++;
                messages.add(AssistantMessage.builder()
                        .content(step.text())
                        .toolCalls(step.toolCalls())
                        .build());
                List<ToolResponseMessage.ToolResponse> responses = new ArrayList<>();
                for (AssistantMessage.ToolCall call : step.toolCalls()) {
                    handle.check();
                    JsonNode parameters = parse(call.arguments());
                    Map<String, Object> callEvent = new LinkedHashMap<>();
                    callEvent.put("id", call.id());
                    callEvent.put("name", call.name());
                    callEvent.put("parameters", parameters);
                    events.emit("tool_call", callEvent);
                    ToolCallback callback = byName.get(call.name());
                    String result = callback == null
                            ? unknownTool(call.name())
                            : callback.call(call.arguments() == null ? "{}" : call.arguments());
                    ObjectNode outcome = outcome(parse(result));
                    ObjectNode resultEvent = json.createObjectNode().put("id", call.id());
                    resultEvent.setAll(outcome);
                    events.emit("tool_result", resultEvent);
                    String notRun = couldNotRun(call.name(), outcome);
                    if (notRun != null) {
                        // the model has the failure as the tool's result (and says so); the client learns it too
                        degrade(events, skipped, Degraded.TOOLS, notRun);
                    }
                    ObjectNode stored = toolCalls.addObject();
                    stored.put("id", call.id());
                    stored.put("name", call.name());
                    stored.set("parameters", parameters);
                    stored.set("result", outcome);
                    responses.add(new ToolResponseMessage.ToolResponse(call.id(), call.name(), result));
                }
                messages.add(ToolResponseMessage.builder().responses(responses).build());
            }
        } catch (TurnEvents.Cancelled cancelled) {
            status = "cancelled";
            answer.append(streamed);
        } catch (RuntimeException e) {
            answer.append(streamed);
            if (handle.cancelled()) {
                status = "cancelled"; // a stream cut off by the cancel may surface as any error
            } else {
                status = "failed";
                failure = ProviderFailure.of(e);
                failureMessage = failureMessage(provider, failure);
                log.warn(
                        "chat turn {} failed at provider {}: {} (HTTP {})",
                        answerId,
                        provider,
                        failure.type().code(),
                        failure.status());
            }
        } finally {
            active.finish(handle);
        }

        ObjectNode usageNode = json.createObjectNode()
                .put("promptTokens", usage[0])
                .put("completionTokens", usage[1])
                .put("totalTokens", usage[0] + usage[1])
                .put("toolRounds", rounds);
        StoredMessage saved = new StoredMessage(
                answerId,
                conversationId,
                StoredMessage.ASSISTANT,
                answer.toString(),
                toolCalls,
                memoriesUsed,
                status,
                provider,
                modelName,
                usageNode,
                Instant.now());
        conversations.append(caller, saved);
        if (!firstToken[0] && answer.length() > 0) {
            // not streamed: the first token reaches the client with the whole answer
            metrics.firstToken(provider, modelName, Duration.between(turn.receivedAt(), Instant.now()));
        }
        boolean extract = properties.extractMemories() && failure == null && !"cancelled".equals(status);
        if (extract && skipped.containsKey(Degraded.MEMORY)) {
            // memory-service did not answer the recall: the extraction would fail the same way, unseen, after `end`
            extract = false;
            skipped.put(Degraded.EXTRACTION, "memory-service is unavailable");
            emitQuietly(
                    events,
                    "degraded",
                    new Degraded(
                            List.of(Degraded.EXTRACTION),
                            "memory-service is unavailable: no new memories were taken from this turn"));
        }
        metrics.turn(
                provider,
                modelName,
                "complete".equals(status) && !skipped.isEmpty() ? ChatMetrics.DEGRADED : status,
                Duration.between(turn.receivedAt(), Instant.now()),
                rounds);
        metrics.tokens(provider, modelName, usage[0], usage[1]);

        if (failure != null) {
            if (!streaming) {
                throw problem(provider, failure, failureMessage);
            }
            emitQuietly(events, "error", Map.of("errorType", failure.type().code(), "message", failureMessage));
        } else if ("cancelled".equals(status)) {
            // reaches a client that is still there (cancelled with the cancel endpoint)
            emitQuietly(client, "end", Map.of("messageId", answerId, "usage", usageNode, "status", status));
        } else {
            emitQuietly(events, "end", Map.of("messageId", answerId, "usage", usageNode, "status", status));
            if (extract) {
                String agentId = turn.agent().id().toString();
                String text = answer.toString();
                background.submit(
                        "extract-memories",
                        () -> memory.extract(bearer, agentId, conversationId.toString(), turn.content(), text));
            }
        }
        if (chat.summarize()) {
            // the messages before this turn, its user message and its answer (no extra count query per turn)
            long covered = earlier + history.size() + 2 - properties.historyMessages();
            if (covered > turn.conversation().summarizedMessages()) {
                background.submit("summarize", () -> summarize(turn, model, modelName, (int) covered));
            }
        }
        return saved;
    }

    /**
     * Folds the messages that left the window into the conversation's running summary, with the agent's model (the
     * local model answers with an extractive summary). Runs after the turn; a failure keeps the old summary.
     */
    private void summarize(Turn turn, ChatModel model, String modelName, int covered) {
        Conversation conversation = turn.conversation();
        int from = conversation.summarizedMessages();
        try {
            List<SummaryPrompt.Line> lines =
                    conversations.slice(turn.caller(), conversation.id(), from, covered - from).stream()
                            .filter(m -> m.content() != null && !m.content().isBlank())
                            .map(m -> new SummaryPrompt.Line(m.role(), m.content()))
                            .toList();
            ChatOptions options = options(model, modelName, turn.agent(), List.of());
            String summary = call(model, new Prompt(SummaryPrompt.messages(conversation.summary(), lines), options))
                    .text()
                    .strip();
            if (summary.length() > chat.summaryMaxLength()) {
                summary = summary.substring(summary.length() - chat.summaryMaxLength());
                int line = summary.indexOf('\n');
                summary = line >= 0 && line < summary.length() - 1 ? summary.substring(line + 1) : summary;
            }
            if (!summary.isEmpty()) {
                conversations.saveSummary(turn.caller(), conversation.id(), summary, covered);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "summary of conversation {} failed ({}); the old summary is kept",
                    conversation.id(),
                    ProviderFailure.of(e).type().code());
        }
    }

    /** The prompt window: system prompt (with the recalled memories), recent messages, the new message. */
    private List<Message> window(
            Turn turn,
            List<StoredMessage> history,
            long earlier,
            MemoryRecall.Recall recall,
            Profiles.Profile profile) {
        StringBuilder system = new StringBuilder(turn.agent().systemPrompt());
        if (turn.caller().username() != null) {
            system.append("\nYou are talking to the user '")
                    .append(turn.caller().username())
                    .append("'.");
        }
        if (!profile.isEmpty()) {
            system.append("\n\n").append(profileBlock(profile));
        }
        if (!recall.used().isEmpty()) {
            system.append("\n\n").append(MemoryBlock.render(recall.texts()));
        }
        Conversation conversation = turn.conversation();
        if (earlier > 0 && conversation.summary() != null && conversation.summarizedMessages() > 0) {
            system.append("\n\nSummary of the earlier conversation:\n").append(conversation.summary());
        }
        long unsummarized = earlier - Math.max(0, conversation.summarizedMessages());
        if (unsummarized > 0) {
            system.append("\n\n(")
                    .append(unsummarized)
                    .append(" earlier messages of this conversation are not shown.)");
        }
        List<Message> messages = new ArrayList<>();
        messages.add(new SystemMessage(system.toString().strip()));
        for (StoredMessage past : history) {
            if (past.content() == null || past.content().isBlank()) {
                continue;
            }
            messages.add(
                    StoredMessage.USER.equals(past.role())
                            ? new UserMessage(past.content())
                            : new AssistantMessage(past.content()));
        }
        messages.add(new UserMessage(turn.content()));
        return messages;
    }

    /** The caller's profile as the system prompt shows it: role and preferences, each value at most 200 characters. */
    private String profileBlock(Profiles.Profile profile) {
        StringBuilder block = new StringBuilder("About the user (from their profile; adapt your answers to it):");
        if (profile.profileRole() != null && !profile.profileRole().isBlank()) {
            block.append("\n- profileRole: ")
                    .append(abbreviate(profile.profileRole().strip(), 200));
        }
        if (profile.preferences() != null && profile.preferences().isObject()) {
            int shown = 0;
            for (Map.Entry<String, JsonNode> preference : profile.preferences().properties()) {
                if (shown++ == 20) {
                    break;
                }
                JsonNode value = preference.getValue();
                String text = value.isString() ? value.asString() : json.writeValueAsString(value);
                block.append("\n- preferences.")
                        .append(abbreviate(preference.getKey(), 64))
                        .append(": ")
                        .append(abbreviate(text, 200));
            }
        }
        return block.toString();
    }

    private static String abbreviate(String text, int max) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
    }

    private String modelName(ChatModel model, Agent agent) {
        if (model instanceof LocalChatModel) {
            return LocalChatModel.MODEL;
        }
        if (agent.model().name() != null && !agent.model().name().isBlank()) {
            return agent.model().name();
        }
        ChatOptions defaults = model.getDefaultOptions();
        return defaults != null && defaults.getModel() != null ? defaults.getModel() : properties.defaultModel();
    }

    /** The provider's own default options (base URL, key, ...) with this agent's model, temperature and tools. */
    private static ChatOptions options(ChatModel model, String modelName, Agent agent, List<ToolCallback> callbacks) {
        ChatOptions defaults = model.getDefaultOptions();
        ChatOptions.Builder<?> builder = defaults == null ? ToolCallingChatOptions.builder() : defaults.mutate();
        builder.model(modelName);
        if (agent.model().temperature() != null) {
            builder.temperature(agent.model().temperature());
        }
        if (builder instanceof ToolCallingChatOptions.Builder<?> tooling) {
            tooling.toolCallbacks(callbacks);
        }
        return builder.build();
    }

    /** What one model call produced. */
    record Step(String text, List<AssistantMessage.ToolCall> toolCalls, long promptTokens, long completionTokens) {}

    private static Step call(ChatModel model, Prompt prompt) {
        ChatResponse response = model.call(prompt);
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

    /** Streams one model call, emitting {@code token} events; closing the stream cancels the provider call. */
    private static Step stream(
            ChatModel model,
            Prompt prompt,
            TurnEvents events,
            ActiveTurns.Handle handle,
            StringBuilder text,
            Runnable onFirstToken) {
        ToolCallMerger calls = new ToolCallMerger();
        long promptTokens = 0;
        long completionTokens = 0;
        try (Stream<ChatResponse> chunks =
                model.stream(prompt).takeUntilOther(handle.whenCancelled()).toStream()) {
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

    /**
     * Tool calls seen across streamed chunks: a call with an id is new (or replaces a repeated id); a fragment
     * without id and name continues the previous call's arguments; a named call without id is new.
     */
    static final class ToolCallMerger {
        private final LinkedHashMap<String, AssistantMessage.ToolCall> calls = new LinkedHashMap<>();
        private String lastId;

        void add(AssistantMessage.ToolCall call) {
            boolean named = call.name() != null && !call.name().isBlank();
            if ((call.id() == null || call.id().isBlank()) && named) {
                // a provider that sends whole calls without ids (Ollama): give each its own
                call = new AssistantMessage.ToolCall(
                        "call_" + (calls.size() + 1), call.type(), call.name(), call.arguments());
            }
            if (call.id() == null || call.id().isBlank()) {
                AssistantMessage.ToolCall previous = lastId == null ? null : calls.get(lastId);
                if (previous != null) {
                    calls.put(
                            lastId,
                            new AssistantMessage.ToolCall(
                                    previous.id(),
                                    previous.type(),
                                    previous.name(),
                                    nullToEmpty(previous.arguments()) + nullToEmpty(call.arguments())));
                }
                return;
            }
            calls.put(call.id(), call);
            lastId = call.id();
        }

        List<AssistantMessage.ToolCall> result() {
            return calls.values().stream()
                    .filter(c -> c.name() != null && !c.name().isBlank())
                    .toList();
        }

        private static String nullToEmpty(String s) {
            return s == null ? "" : s;
        }
    }

    private static long tokens(Usage usage, boolean prompt) {
        if (usage == null) {
            return 0;
        }
        Integer value = prompt ? usage.getPromptTokens() : usage.getCompletionTokens();
        return value == null ? 0 : value;
    }

    private JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (RuntimeException e) {
            return json.getNodeFactory().stringNode(text);
        }
    }

    /** {@code {success, data}} or {@code {success, error}} from tool-service's envelope. */
    private ObjectNode outcome(JsonNode envelope) {
        ObjectNode outcome = json.createObjectNode();
        boolean success = envelope.path("success").asBoolean(false);
        outcome.put("success", success);
        if (success) {
            outcome.set("data", envelope.path("data"));
        } else {
            outcome.set(
                    "error",
                    envelope.has("error")
                            ? envelope.get("error")
                            : json.createObjectNode()
                                    .put("errorType", "internal")
                                    .put("message", "the tool gave no result"));
        }
        return outcome;
    }

    /**
     * Why a tool call could not run — refused (429), busy, timed out, circuit open, tool-service down: a failure that
     * may pass if tried later ({@link ErrorType#recoverable()}) — or null when the tool ran (a failure of bad input or
     * of the tool's own logic is its answer, not a degraded turn).
     */
    private static String couldNotRun(String tool, ObjectNode outcome) {
        if (outcome.path("success").asBoolean(false)) {
            return null;
        }
        JsonNode error = outcome.path("error");
        String code = error.path("errorType").asString("");
        for (ErrorType type : ErrorType.values()) {
            if (type.code().equals(code) && type.recoverable()) {
                return "tool " + tool + " could not run (" + code + "): "
                        + error.path("message").asString("no detail");
            }
        }
        return null;
    }

    /** Announces once per part that it was skipped: a {@code degraded} event (api.md). */
    private static void degrade(TurnEvents events, Map<String, String> skipped, String part, String reason) {
        if (skipped.putIfAbsent(part, reason) == null) {
            events.emit("degraded", new Degraded(List.of(part), reason));
        }
    }

    private String unknownTool(String name) {
        ObjectNode envelope = json.createObjectNode().put("tool", name).put("success", false);
        envelope.putObject("error")
                .put("errorType", "not_found")
                .put("message", "no tool named '" + name + "' is available to this agent");
        return json.writeValueAsString(envelope);
    }

    private static void emitQuietly(TurnEvents events, String name, Object data) {
        try {
            events.emit(name, data);
        } catch (TurnEvents.Cancelled ignored) {
            // the client is gone; the turn is already persisted
        }
    }

    /**
     * Runs one model step; a rate-limited step (HTTP 429) is tried again after the provider's {@code Retry-After}
     * (else an exponential backoff) while {@code agency.orchestration.providers.retry} allows: at most
     * {@code max-attempts} calls and {@code max-total} of waiting. A step that already streamed tokens is not
     * repeated (the client has seen them).
     */
    private Step withRetries(String provider, java.util.function.Function<AtomicBoolean, Step> step) {
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

    private static String failureMessage(String provider, ProviderFailure failure) {
        String status = failure.status() == null ? "" : " (HTTP " + failure.status() + ")";
        return switch (failure.type()) {
            case RATE_LIMIT ->
                "The model provider '" + provider + "' is rate limiting requests" + status
                        + " and the retry budget is spent; try again shortly";
            case AUTHENTICATION ->
                "The model provider '" + provider + "' refused our credentials" + status
                        + "; an administrator must check its API key setting";
            default -> "The model provider '" + provider + "' is unavailable" + status + "; try again later";
        };
    }

    /** A non-streaming turn's failure as a problem: 429, 502 for refused credentials (not the caller's token), 503. */
    private static AgencyException problem(String provider, ProviderFailure failure, String message) {
        if (failure.type() == ErrorType.RATE_LIMIT) {
            long seconds = failure.retryAfter() == null
                    ? 1
                    : Math.max(1, (failure.retryAfter().toMillis() + 999) / 1000);
            return new RateLimitedException(message, seconds).withProperty("provider", provider);
        }
        HttpStatus status =
                failure.type() == ErrorType.AUTHENTICATION ? HttpStatus.BAD_GATEWAY : HttpStatus.SERVICE_UNAVAILABLE;
        return new AgencyException(failure.type(), status, message, List.of(), null).withProperty("provider", provider);
    }
}
