package ai.agency.memory.extraction;

import ai.agency.memory.MemoryProperties;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks an OpenAI-compatible chat model ({@code POST <base-url>/chat/completions}) for the atomic facts about the
 * user in a conversation, as JSON. The answer is parsed leniently (code fences, prose around the JSON, a bare
 * array, objects instead of strings); anything unusable throws {@link ExtractionFailedException}, and
 * {@link FactExtraction} then falls back to the rule-based extractor.
 */
public class LlmFactExtractor {

    static final String PROMPT = """
            You extract long-term memories about the USER from a conversation between a user and an assistant.
            Return only a JSON object of the form {"facts": ["...", "..."]}.
            Rules:
            - Each fact is one atomic, self-contained statement about the user, written in the user's own first \
            person ("I am vegetarian", "My sister Anna lives in Rome", "I am moving to Lisbon in May 2025").
            - Keep names, places, dates, numbers and preferences exactly as stated; resolve "it"/"there" to what \
            they refer to.
            - Use only what the user says. Assistant messages are context, never a source of facts.
            - Skip questions, requests, greetings, small talk and anything that is not about the user.
            - Write each fact in the language the user wrote in.
            - If there is nothing worth remembering, return {"facts": []}.
            Facts that change: the user's current memories may follow the conversation, one a line as "[m1] text".             When a fact means that one of them no longer holds (a new employer, a move, a new partner, a changed             preference, something that ended), write that fact as an object naming them:             {"fact": "I work at Globex", "supersedes": ["m1"]}. A fact that repeats, refines or adds to a memory             supersedes nothing; never name a memory that is still true. Never restate a current memory as a fact.""";

    private final RestClient client;
    private final MemoryProperties.Extraction settings;
    private final JsonMapper json;
    private final int maxLength;

    public LlmFactExtractor(MemoryProperties properties, JsonMapper json) {
        this.settings = properties.extraction();
        this.json = json;
        this.maxLength = properties.maxContentLength();
        var http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        var factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(settings.timeout());
        RestClient.Builder builder = RestClient.builder()
                .baseUrl(settings.baseUrl().replaceAll("/+$", ""))
                .requestFactory(factory);
        if (!settings.apiKey().isBlank()) {
            builder.defaultHeader("Authorization", "Bearer " + settings.apiKey());
        }
        this.client = builder.build();
    }

    /** One chat message of the conversation to extract from. */
    public record Turn(String role, String content) {}

    /**
     * A fact about the user, and the current memories it says no longer hold: indexes into the {@code current} list
     * given to {@link #extract}.
     */
    public record Fact(String text, List<Integer> supersedes) {

        public static Fact of(String text) {
            return new Fact(text, List.of());
        }
    }

    /**
     * The facts about the user; empty when the model found none. {@code current} are memories of the user that a
     * fact may supersede (shown to the model as {@code [m1]}, {@code [m2]}, ...).
     */
    public List<Fact> extract(List<Turn> conversation, List<String> current) {
        StringBuilder transcript = new StringBuilder();
        for (Turn turn : conversation) {
            if (turn.role().equals("user") || turn.role().equals("assistant")) {
                transcript
                        .append(turn.role())
                        .append(": ")
                        .append(turn.content())
                        .append('\n');
            }
        }
        Map<String, Object> body = Map.of(
                "model", settings.model(),
                "temperature", 0,
                "response_format", Map.of("type", "json_object"),
                "messages",
                        List.of(
                                Map.of("role", "system", "content", PROMPT),
                                Map.of("role", "user", "content", "Conversation:\n" + transcript + listed(current))));
        String answer;
        try {
            answer = client.post()
                    .uri("/chat/completions")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(body)
                    .retrieve()
                    .body(String.class);
        } catch (RuntimeException e) {
            throw new ExtractionFailedException("chat model call failed: " + e.getMessage(), e);
        }
        String content = messageContent(answer);
        return parseFacts(content, current.size());
    }

    private static String listed(List<String> current) {
        if (current.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("\nCurrent memories:\n");
        for (int i = 0; i < current.size(); i++) {
            text.append("[m").append(i + 1).append("] ").append(current.get(i)).append('\n');
        }
        return text.toString();
    }

    private String messageContent(@Nullable String answer) {
        try {
            JsonNode content = json.readTree(answer)
                    .path("choices")
                    .path(0)
                    .path("message")
                    .path("content");
            if (!content.isString() || content.asString().isBlank()) {
                throw new ExtractionFailedException("the answer has no choices[0].message.content", null);
            }
            return content.asString();
        } catch (RuntimeException e) {
            if (e instanceof ExtractionFailedException failed) {
                throw failed;
            }
            throw new ExtractionFailedException("the answer is not a chat completion", e);
        }
    }

    /**
     * The facts in a model's text: the first JSON object or array in it (code fences and prose around it are
     * ignored); from an object, its {@code facts} array (or else its first array); elements are strings or objects
     * with a {@code fact}, {@code text} or {@code memory} string and optionally {@code supersedes}: references
     * {@code "m1"} (or {@code 1}) to the {@code currentCount} memories shown; any other reference is ignored.
     */
    List<Fact> parseFacts(String content, int currentCount) {
        JsonNode root = firstJson(content);
        JsonNode array = root;
        if (root.isObject()) {
            array = root.get("facts");
            if (array == null || !array.isArray()) {
                array = null;
                for (JsonNode value : root.values()) {
                    if (value.isArray()) {
                        array = value;
                        break;
                    }
                }
            }
        }
        if (array == null || !array.isArray()) {
            throw new ExtractionFailedException("no list of facts in the model's answer", null);
        }
        Map<String, Set<Integer>> facts = new LinkedHashMap<>();
        for (JsonNode element : array) {
            String text = null;
            if (element.isString()) {
                text = element.asString();
            } else if (element.isObject()) {
                for (String field : List.of("fact", "text", "memory")) {
                    if (element.path(field).isString()) {
                        text = element.path(field).asString();
                        break;
                    }
                }
            }
            if (text == null) {
                throw new ExtractionFailedException("a fact is neither a string nor an object with a text", null);
            }
            text = text.strip().replaceAll("\\s+", " ");
            if (!text.isEmpty()) {
                facts.computeIfAbsent(
                                text.length() > maxLength ? text.substring(0, maxLength) : text,
                                t -> new LinkedHashSet<>())
                        .addAll(references(element.path("supersedes"), currentCount));
            }
        }
        List<Fact> result = new ArrayList<>();
        facts.forEach((text, supersedes) -> result.add(new Fact(text, List.copyOf(supersedes))));
        return result.subList(0, Math.min(result.size(), settings.maxFacts()));
    }

    /** The indexes (0-based) named by {@code ["m1", 2]}; references to memories not shown are dropped. */
    private static List<Integer> references(JsonNode supersedes, int currentCount) {
        List<Integer> indexes = new ArrayList<>();
        for (JsonNode ref : supersedes.isArray() ? supersedes : List.<JsonNode>of()) {
            String text = ref.isNumber() ? ref.asString() : ref.isString() ? ref.asString() : "";
            String digits = text.strip().replaceFirst("^\\[?[mM]", "").replaceFirst("]$", "");
            if (digits.matches("\\d{1,6}")) {
                int index = Integer.parseInt(digits) - 1;
                if (index >= 0 && index < currentCount) {
                    indexes.add(index);
                }
            }
        }
        return indexes;
    }

    private JsonNode firstJson(String content) {
        for (int start = 0; start < content.length(); start++) {
            char c = content.charAt(start);
            if (c != '{' && c != '[') {
                continue;
            }
            char close = c == '{' ? '}' : ']';
            for (int end = content.lastIndexOf(close); end > start; end = content.lastIndexOf(close, end - 1)) {
                try {
                    return json.readTree(content.substring(start, end + 1));
                } catch (RuntimeException notJson) {
                    // try a shorter span
                }
            }
        }
        throw new ExtractionFailedException("no JSON in the model's answer", null);
    }

    /** The LLM could not be used; the caller falls back to the rule-based extractor. */
    public static class ExtractionFailedException extends RuntimeException {
        ExtractionFailedException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }
}
