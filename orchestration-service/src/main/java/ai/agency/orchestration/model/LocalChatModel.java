package ai.agency.orchestration.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code local} provider: a deterministic, offline responder, honest about what it is. It picks tools by explicit
 * intent rules ("remember that …" → add_memory, "what do you know about …" → search_memory, arithmetic → calculator,
 * "what time" → current_time), answers only from the memories (system prompt) and tool results it was given, quoting
 * them, and streams in word-sized chunks. It speaks Spring AI's tool-calling contract (tool calls in the
 * {@link AssistantMessage}), so the chat loop is the same as for real providers.
 */
public class LocalChatModel implements ChatModel {

    public static final String MODEL = "local-rules-1";

    private static final Pattern REMEMBER = Pattern.compile(
            "^\\s*(?:please\\s+)?(?:remember|note|don'?t forget)\\s+(?:that\\s+)?(.+?)[.!]*\\s*$",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern KNOW_ABOUT = Pattern.compile(
            "what do you (?:know|remember) about\\s+(.+?)[?.!]*\\s*$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern TIME = Pattern.compile(
            "\\b(what time|current time|time is it|what's the time|what is the time|today's date|what day is it)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern TIME_ZONE = Pattern.compile("\\bin\\s+([A-Za-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)");
    private static final Pattern EXPRESSION_CHARS = Pattern.compile("[0-9.+\\-*/×÷^%()\\s]+");
    private static final Pattern HAS_OPERATION =
            Pattern.compile("\\d\\s*\\)?\\s*(?:[-+*/×÷^%]|\\*\\*)\\s*\\(?\\s*-?\\d");
    private static final Pattern ABOUT_USER =
            Pattern.compile("\\b(my|me|i|am i|do i|mine)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]{3,}");
    private static final Set<String> STOP_WORDS = Set.of(
            "what", "which", "who", "where", "when", "how", "the", "and", "you", "your", "are", "was", "does", "did",
            "know", "about", "tell", "that", "this", "have", "has", "with", "for", "from", "mine");

    private final JsonMapper json;
    private final java.time.Duration chunkInterval;

    public LocalChatModel(JsonMapper json) {
        this(json, java.time.Duration.ZERO);
    }

    /**
     * @param chunkInterval the pause before each streamed chunk ({@code agency.orchestration.local.chunk-interval}, 0
     *     by default): a stream as slow as a real model's, for load tests and rolling restarts
     */
    public LocalChatModel(JsonMapper json, java.time.Duration chunkInterval) {
        this.json = json;
        this.chunkInterval = chunkInterval;
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return ToolCallingChatOptions.builder().model(MODEL).build();
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        List<Message> messages = prompt.getInstructions();
        AssistantMessage answer = messages.isEmpty()
                ? new AssistantMessage("I have nothing to answer.")
                : SummaryPrompt.isSummaryRequest(messages)
                        ? new AssistantMessage(
                                SummaryPrompt.extractive(messages.getLast().getText()))
                        : respond(messages, toolNames(prompt.getOptions()));
        int promptTokens = messages.stream().mapToInt(m -> tokens(m.getText())).sum();
        return response(answer, answer.hasToolCalls() ? "tool_calls" : "stop", promptTokens, tokens(answer.getText()));
    }

    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        ChatResponse whole = call(prompt);
        AssistantMessage answer = whole.getResult().getOutput();
        if (answer.hasToolCalls()
                || answer.getText() == null
                || answer.getText().isEmpty()) {
            return Flux.just(whole);
        }
        List<String> chunks = chunks(answer.getText());
        Flux<Integer> indexes = Flux.range(0, chunks.size());
        if (chunkInterval.isPositive()) {
            indexes = indexes.delayElements(chunkInterval);
        }
        return indexes.map(i -> {
            boolean last = i == chunks.size() - 1;
            AssistantMessage chunk = new AssistantMessage(chunks.get(i));
            if (!last) {
                return new ChatResponse(List.of(new Generation(chunk)));
            }
            return new ChatResponse(
                    List.of(new Generation(
                            chunk,
                            ChatGenerationMetadata.builder()
                                    .finishReason("stop")
                                    .build())),
                    whole.getMetadata());
        });
    }

    /** Token-sized pieces: each word with the whitespace that follows it. */
    static List<String> chunks(String text) {
        List<String> chunks = new ArrayList<>();
        Matcher m = Pattern.compile("\\S+\\s*|\\s+").matcher(text);
        while (m.find()) {
            chunks.add(m.group());
        }
        return chunks;
    }

    private AssistantMessage respond(List<Message> messages, Set<String> tools) {
        Message last = messages.getLast();
        if (last instanceof ToolResponseMessage results) {
            return new AssistantMessage(fromToolResults(results, messages));
        }
        String text = last.getText() == null ? "" : last.getText().strip();
        List<String> memories = messages.stream()
                .filter(m -> m.getMessageType() == MessageType.SYSTEM)
                .flatMap(m -> MemoryBlock.parse(m.getText()).stream())
                .toList();

        Matcher remember = REMEMBER.matcher(text);
        if (remember.matches()) {
            return tools.contains("add_memory")
                    ? toolCall("add_memory", Map.of("content", remember.group(1).strip()))
                    : new AssistantMessage(
                            "I can't store memories: the add_memory tool is not enabled for this agent.");
        }
        Matcher about = KNOW_ABOUT.matcher(text);
        if (about.find()) {
            String topic = about.group(1).strip();
            if (tools.contains("search_memory")) {
                return toolCall("search_memory", Map.of("query", topic));
            }
            return new AssistantMessage(fromMemories(memories, topic));
        }
        if (TIME.matcher(text).find()) {
            if (!tools.contains("current_time")) {
                return new AssistantMessage(
                        "I can't tell the time: the current_time tool is not enabled for this agent.");
            }
            Matcher zone = TIME_ZONE.matcher(text);
            return toolCall("current_time", zone.find() ? Map.of("timezone", zone.group(1)) : Map.of());
        }
        String expression = expression(text);
        if (expression != null) {
            return tools.contains("calculator")
                    ? toolCall("calculator", Map.of("expression", expression))
                    : new AssistantMessage("I can't calculate " + expression
                            + ": the calculator tool is not enabled for this agent, and I don't guess numbers.");
        }
        if (ABOUT_USER.matcher(text).find()) {
            List<String> relevant = relevant(memories, text);
            if (!relevant.isEmpty()) {
                return new AssistantMessage(quote("From what you told me before", relevant));
            }
            if (tools.contains("search_memory")) {
                return toolCall("search_memory", Map.of("query", text));
            }
            return new AssistantMessage(
                    "I don't know that yet. Tell me with \"Remember that …\" and I will keep it in mind.");
        }
        List<String> relevant = relevant(memories, text);
        if (!relevant.isEmpty()) {
            return new AssistantMessage(quote("This is what I remember that may help", relevant));
        }
        return new AssistantMessage("I'm the local offline model, so I only follow simple rules: I can remember"
                + " facts you tell me (\"Remember that …\"), recall them (\"What do you know about …\"), calculate"
                + " (\"What is 17 * 23?\") and tell the time. I have no answer of my own to: \"" + abbreviate(text)
                + "\"");
    }

    private String fromToolResults(ToolResponseMessage results, List<Message> messages) {
        Map<String, AssistantMessage.ToolCall> calls = messages.stream()
                .filter(m -> m instanceof AssistantMessage a && a.hasToolCalls())
                .flatMap(m -> ((AssistantMessage) m).getToolCalls().stream())
                .collect(Collectors.toMap(AssistantMessage.ToolCall::id, c -> c, (a, b) -> b));
        List<String> parts = new ArrayList<>();
        for (ToolResponseMessage.ToolResponse response : results.getResponses()) {
            AssistantMessage.ToolCall call = calls.get(response.id());
            JsonNode arguments = call == null ? json.createObjectNode() : readOrEmpty(call.arguments());
            parts.add(fromToolResult(response.name(), arguments, readOrEmpty(response.responseData())));
        }
        return String.join(" ", parts);
    }

    private String fromToolResult(String tool, JsonNode arguments, JsonNode envelope) {
        if (!envelope.path("success").asBoolean(false)) {
            JsonNode error = envelope.path("error");
            return "I tried to use " + tool + ", but it failed ("
                    + error.path("errorType").asString("unknown") + "): "
                    + error.path("message").asString("no detail") + ".";
        }
        JsonNode data = envelope.path("data");
        return switch (tool) {
            case "calculator" ->
                arguments.path("expression").asString(data.path("expression").asString("it")) + " = "
                        + number(data.path("result")) + ".";
            case "add_memory" ->
                "Got it. I'll remember that: \"" + arguments.path("content").asString() + "\".";
            case "search_memory" -> {
                List<String> found = new ArrayList<>();
                data.path("results").forEach(r -> found.add(r.path("memory").asString()));
                yield found.isEmpty()
                        ? "I don't have anything stored about "
                                + arguments.path("query").asString("that") + " yet."
                        : quote("Here is what I remember", found);
            }
            case "current_time" ->
                "It is " + data.path("dateTime").asString() + " ("
                        + data.path("timezone").asString("UTC") + ", "
                        + data.path("dayOfWeek").asString("") + ").";
            default -> tool + " returned: " + abbreviate(json.writeValueAsString(data));
        };
    }

    private String fromMemories(List<String> memories, String topic) {
        List<String> relevant = relevant(memories, topic);
        return relevant.isEmpty()
                ? "I don't have anything stored about " + topic + "."
                : quote("Here is what I remember", relevant);
    }

    /** Memories that share a word with the text; all of them when the text has no content words. */
    private static List<String> relevant(List<String> memories, String text) {
        Set<String> words = words(text);
        if (words.isEmpty()) {
            return memories;
        }
        return memories.stream()
                .filter(m -> words(m).stream().anyMatch(words::contains))
                .toList();
    }

    private static Set<String> words(String text) {
        Set<String> words = new LinkedHashSet<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            if (!STOP_WORDS.contains(m.group())) {
                words.add(m.group());
            }
        }
        return words;
    }

    private static String quote(String lead, List<String> memories) {
        return lead + ": " + memories.stream().map(m -> "\"" + m + "\"").collect(Collectors.joining("; ")) + ".";
    }

    /** The arithmetic in the text, or null: the longest run of digits, operators and parentheses with an operation. */
    static String expression(String text) {
        String normalised = text.replaceAll("(?i)\\bplus\\b", "+")
                .replaceAll("(?i)\\bminus\\b", "-")
                .replaceAll("(?i)\\b(times|multiplied by)\\b", "*")
                .replaceAll("(?i)\\bdivided by\\b", "/");
        String best = null;
        Matcher m = EXPRESSION_CHARS.matcher(normalised);
        while (m.find()) {
            String candidate = m.group().strip().replaceAll("[.\\s]+$", "");
            if (HAS_OPERATION.matcher(candidate).find() && (best == null || candidate.length() > best.length())) {
                best = candidate;
            }
        }
        return best;
    }

    private AssistantMessage toolCall(String tool, Map<String, ?> arguments) {
        ObjectNode args = json.valueToTree(arguments);
        return AssistantMessage.builder()
                .content("")
                .toolCalls(List.of(new AssistantMessage.ToolCall(
                        "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16),
                        "function",
                        tool,
                        json.writeValueAsString(args))))
                .build();
    }

    private static Set<String> toolNames(ChatOptions options) {
        if (options instanceof ToolCallingChatOptions tooling && tooling.getToolCallbacks() != null) {
            return tooling.getToolCallbacks().stream()
                    .map(ToolCallback::getToolDefinition)
                    .map(d -> d.name())
                    .collect(Collectors.toSet());
        }
        return Set.of();
    }

    private JsonNode readOrEmpty(String text) {
        try {
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (RuntimeException e) {
            return json.createObjectNode();
        }
    }

    private static String number(JsonNode value) {
        if (value.isNumber()) {
            double d = value.asDouble();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString((long) d);
            }
            return Double.toString(d);
        }
        return value.asString("?");
    }

    private static int tokens(String text) {
        return text == null || text.isBlank() ? 0 : text.strip().split("\\s+").length;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    private static ChatResponse response(AssistantMessage answer, String finishReason, int in, int out) {
        return new ChatResponse(
                List.of(new Generation(
                        answer,
                        ChatGenerationMetadata.builder()
                                .finishReason(finishReason)
                                .build())),
                new ChatResponseMetadata.Builder()
                        .model(MODEL)
                        .usage(new DefaultUsage(in, out))
                        .build());
    }
}
