package ai.agency.orchestration.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.FakeUpstreams;
import ai.agency.orchestration.FakeUpstreams.Answer;
import ai.agency.orchestration.FakeUpstreams.Received;
import ai.agency.orchestration.OrchestrationApiTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The {@code ollama} provider (Spring AI's {@code OllamaChatModel}, built from
 * {@code agency.orchestration.providers.ollama.*}) against a fake server speaking Ollama's own API: {@code POST
 * /api/chat} answered with NDJSON lines, tool calls as whole objects in {@code message.tool_calls} (no ids), then a
 * second request carrying the tool result as a {@code tool} message.
 */
class OllamaProviderTest extends OrchestrationApiTest {

    static final String CHAT = "/ollama/api/chat";

    @BeforeEach
    void reset() {
        FakeUpstreams.reset();
    }

    static String line(String message, boolean done, String extra) {
        return "{\"model\":\"fake-llama\",\"created_at\":\"2026-01-02T03:04:05.000000Z\",\"message\":" + message
                + ",\"done\":" + done + (extra == null ? "" : "," + extra) + "}\n";
    }

    static Answer ndjson(String... lines) {
        return Answer.stream("application/x-ndjson", List.of(lines));
    }

    static Answer answering(String text) {
        return ndjson(
                line("{\"role\":\"assistant\",\"content\":\"" + text + "\"}", false, null),
                line(
                        "{\"role\":\"assistant\",\"content\":\"\"}",
                        true,
                        "\"done_reason\":\"stop\",\"prompt_eval_count\":12,\"eval_count\":3"));
    }

    String ollamaConversation(String token, List<String> tools) {
        Response agent = post(
                "/api/v1/agents",
                token,
                Map.of(
                        "name",
                        "Local llama",
                        "systemPrompt",
                        "You are a calculator assistant.",
                        "model",
                        Map.of("provider", "ollama", "temperature", 0.2),
                        "tools",
                        tools));
        assertThat(agent.status()).as(agent.body()).isEqualTo(201);
        return newConversation(token, agent.json().get("id").asString());
    }

    @Test
    void streamedToolCallRunsThroughToolServiceAndTheResultGoesBackToOllama() {
        FakeUpstreams.script(
                CHAT,
                ndjson(
                        line(
                                "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":"
                                        + "{\"name\":\"calculator\",\"arguments\":{\"expression\":\"6 * 7\"}}}]}",
                                false,
                                null),
                        line(
                                "{\"role\":\"assistant\",\"content\":\"\"}",
                                true,
                                "\"done_reason\":\"stop\",\"prompt_eval_count\":40,\"eval_count\":9")),
                ndjson(
                        line("{\"role\":\"assistant\",\"content\":\"Six times seven\"}", false, null),
                        line("{\"role\":\"assistant\",\"content\":\" is 42.\"}", false, null),
                        line(
                                "{\"role\":\"assistant\",\"content\":\"\"}",
                                true,
                                "\"done_reason\":\"stop\",\"prompt_eval_count\":60,\"eval_count\":6")));

        String token = newUser();
        String conversation = ollamaConversation(token, List.of("calculator"));
        List<Event> events = stream(conversation, token, "What is six times seven?");

        assertThat(events.stream().map(Event::name).distinct().toList())
                .containsExactly("start", "memory", "tool_call", "tool_result", "token", "end");
        Event call = events.stream()
                .filter(e -> e.name().equals("tool_call"))
                .findFirst()
                .orElseThrow();
        assertThat(call.data().get("name").asString()).isEqualTo("calculator");
        assertThat(call.data().get("parameters").get("expression").asString()).isEqualTo("6 * 7");
        Event result = events.stream()
                .filter(e -> e.name().equals("tool_result"))
                .findFirst()
                .orElseThrow();
        assertThat(result.data().get("data").get("result").asDouble()).isEqualTo(42.0);
        assertThat(text(events)).isEqualTo("Six times seven is 42.");
        assertThat(EXECUTED).contains("calculator {\"expression\":\"6 * 7\"}");

        List<Received> requests = FakeUpstreams.received(CHAT);
        assertThat(requests).hasSize(2);
        JsonNode first = requests.get(0).body();
        assertThat(first.get("model").asString()).isEqualTo("fake-llama");
        assertThat(first.get("stream").asBoolean()).isTrue();
        assertThat(first.get("options").get("temperature").asDouble()).isEqualTo(0.2);
        JsonNode tool = first.get("tools").get(0);
        assertThat(tool.get("type").asString()).isEqualTo("function");
        assertThat(tool.get("function").get("name").asString()).isEqualTo("calculator");
        assertThat(tool.get("function").get("parameters").get("properties").has("expression"))
                .isTrue();
        assertThat(first.get("messages").get(0).get("role").asString()).isEqualTo("system");
        assertThat(first.get("messages").get(0).get("content").asString()).contains("You are a calculator assistant.");
        assertThat(first.get("messages").get(1).get("content").asString()).isEqualTo("What is six times seven?");

        JsonNode messages = requests.get(1).body().get("messages");
        JsonNode assistant = messages.get(messages.size() - 2);
        assertThat(assistant.get("role").asString()).isEqualTo("assistant");
        JsonNode function = assistant.get("tool_calls").get(0).get("function");
        assertThat(function.get("name").asString()).isEqualTo("calculator");
        assertThat(function.get("arguments").get("expression").asString()).isEqualTo("6 * 7");
        JsonNode toolMessage = messages.get(messages.size() - 1);
        assertThat(toolMessage.get("role").asString()).isEqualTo("tool");
        assertThat(JSON.readTree(toolMessage.get("content").asString())
                        .get("data")
                        .get("result")
                        .asDouble())
                .isEqualTo(42.0);

        JsonNode stored = get("/api/v1/conversations/" + conversation + "/messages", token)
                .json()
                .get("items")
                .get(1);
        assertThat(stored.get("provider").asString()).isEqualTo("ollama");
        assertThat(stored.get("model").asString()).isEqualTo("fake-llama");
        assertThat(stored.get("content").asString()).isEqualTo("Six times seven is 42.");
        // usage adds up both model calls of the turn: eval_count 9 + 6, prompt_eval_count 40 + 60
        assertThat(stored.get("usage").get("completionTokens").asInt()).isEqualTo(15);
        assertThat(stored.get("usage").get("promptTokens").asInt()).isEqualTo(100);
    }

    @Test
    void nonStreamingTurnAsksForOneAnswerAndStoresIt() {
        FakeUpstreams.script(
                CHAT,
                Answer.json(
                        200,
                        line(
                                        "{\"role\":\"assistant\",\"content\":\"Hello from llama.\"}",
                                        true,
                                        "\"done_reason\":\"stop\",\"prompt_eval_count\":12,\"eval_count\":4")
                                .strip()));
        String token = newUser();
        JsonNode message = chat(ollamaConversation(token, List.of()), token, "Hello?");
        assertThat(message.get("content").asString()).isEqualTo("Hello from llama.");
        assertThat(message.get("usage").get("promptTokens").asInt()).isEqualTo(12);
        JsonNode request = FakeUpstreams.received(CHAT).getFirst().body();
        assertThat(request.get("stream").asBoolean()).isFalse();
        assertThat(request.has("tools") && !request.get("tools").isEmpty()).isFalse();
    }
}
