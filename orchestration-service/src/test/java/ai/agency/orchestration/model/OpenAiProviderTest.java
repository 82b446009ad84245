package ai.agency.orchestration.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The {@code openai} provider (Spring AI's OpenAI starter) against a fake server speaking the real Chat Completions
 * wire format: streamed {@code delta.tool_calls} split across chunks, {@code finish_reason: tool_calls}, a second
 * request carrying the tool result, {@code [DONE]}.
 */
class OpenAiProviderTest extends OrchestrationApiTest {

    private static final String HEAD =
            "{\"id\":\"chatcmpl-%s\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"fake-gpt\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}";

    private static String chunk(String id, String delta, String finish) {
        return HEAD.formatted(id, delta, finish == null ? "null" : "\"" + finish + "\"");
    }

    @BeforeEach
    void reset() {
        OPENAI_REQUESTS.clear();
        OPENAI_SCRIPT.clear();
    }

    private String openAiConversation(String token) {
        Response agent = post(
                "/api/v1/agents",
                token,
                Map.of(
                        "name",
                        "Remote",
                        "systemPrompt",
                        "You are a calculator assistant.",
                        "model",
                        Map.of("provider", "openai", "temperature", 0.1),
                        "tools",
                        List.of("calculator")));
        assertThat(agent.status()).as(agent.body()).isEqualTo(201);
        return newConversation(token, agent.json().get("id").asString());
    }

    @Test
    void streamedToolCallsRunThroughToolServiceAndTheResultGoesBackToTheModel() {
        OPENAI_SCRIPT.add(List.of(
                chunk(
                        "1",
                        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_abc\","
                                + "\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"arguments\":\"\"}}]}",
                        null),
                chunk(
                        "1",
                        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"expression\\\":\"}}]}",
                        null),
                chunk("1", "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"6 * 7\\\"}\"}}]}", null),
                chunk("1", "{}", "tool_calls")));
        OPENAI_SCRIPT.add(
                List.of(
                        chunk("2", "{\"role\":\"assistant\",\"content\":\"The answer\"}", null),
                        chunk("2", "{\"content\":\" is 42.\"}", null),
                        chunk("2", "{}", "stop"),
                        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"fake-gpt\","
                                + "\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":5,\"total_tokens\":35}}"));

        String token = newUser();
        String conversation = openAiConversation(token);
        List<Event> events = stream(conversation, token, "What is six times seven?");

        assertThat(events.stream().map(Event::name).distinct().toList())
                .containsExactly("start", "memory", "tool_call", "tool_result", "token", "end");
        Event call = events.stream()
                .filter(e -> e.name().equals("tool_call"))
                .findFirst()
                .orElseThrow();
        assertThat(call.data().get("id").asString()).isEqualTo("call_abc");
        assertThat(call.data().get("name").asString()).isEqualTo("calculator");
        assertThat(call.data().get("parameters").get("expression").asString()).isEqualTo("6 * 7");
        Event result = events.stream()
                .filter(e -> e.name().equals("tool_result"))
                .findFirst()
                .orElseThrow();
        assertThat(result.data().get("success").asBoolean()).isTrue();
        assertThat(result.data().get("data").get("result").asDouble()).isEqualTo(42.0);
        assertThat(text(events)).isEqualTo("The answer is 42.");
        assertThat(events.getLast().data().get("usage").get("completionTokens").asInt())
                .isEqualTo(5);

        assertThat(OPENAI_REQUESTS).hasSize(2);
        assertThat(OPENAI_AUTHORIZATION.get()).isEqualTo("Bearer test-key");
        JsonNode first = OPENAI_REQUESTS.get(0);
        assertThat(first.get("model").asString()).isEqualTo("fake-gpt");
        assertThat(first.get("stream").asBoolean()).isTrue();
        assertThat(first.get("temperature").asDouble()).isEqualTo(0.1);
        JsonNode tool = first.get("tools").get(0);
        assertThat(tool.get("type").asString()).isEqualTo("function");
        assertThat(tool.get("function").get("name").asString()).isEqualTo("calculator");
        assertThat(tool.get("function").get("parameters").get("properties").has("expression"))
                .isTrue();
        assertThat(first.get("messages").get(0).get("role").asString()).isEqualTo("system");
        assertThat(first.get("messages").get(0).get("content").toString()).contains("You are a calculator assistant.");
        assertThat(first.get("messages").get(1).get("role").asString()).isEqualTo("user");

        JsonNode messages = OPENAI_REQUESTS.get(1).get("messages");
        JsonNode assistant = messages.get(messages.size() - 2);
        assertThat(assistant.get("role").asString()).isEqualTo("assistant");
        assertThat(assistant.get("tool_calls").get(0).get("id").asString()).isEqualTo("call_abc");
        assertThat(assistant
                        .get("tool_calls")
                        .get(0)
                        .get("function")
                        .get("name")
                        .asString())
                .isEqualTo("calculator");
        assertThat(JSON.readTree(assistant
                                .get("tool_calls")
                                .get(0)
                                .get("function")
                                .get("arguments")
                                .asString())
                        .get("expression")
                        .asString())
                .isEqualTo("6 * 7");
        JsonNode toolMessage = messages.get(messages.size() - 1);
        assertThat(toolMessage.get("role").asString()).isEqualTo("tool");
        assertThat(toolMessage.get("tool_call_id").asString()).isEqualTo("call_abc");
        assertThat(JSON.readTree(toolMessage.get("content").asString())
                        .get("data")
                        .get("result")
                        .asDouble())
                .isEqualTo(42.0);

        JsonNode stored = get("/api/v1/conversations/" + conversation + "/messages", token)
                .json()
                .get("items")
                .get(1);
        assertThat(stored.get("provider").asString()).isEqualTo("openai");
        assertThat(stored.get("model").asString()).isEqualTo("fake-gpt");
        assertThat(stored.get("content").asString()).isEqualTo("The answer is 42.");
    }

    @Test
    void aProviderOutageEndsTheStreamWithAnErrorEvent() {
        String token = newUser();
        String conversation = openAiConversation(token);
        List<Event> events = stream(conversation, token, "Hello?");
        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("error");
        assertThat(last.data().get("errorType").asString()).isEqualTo("service_unavailable");
        JsonNode stored = get("/api/v1/conversations/" + conversation + "/messages", token)
                .json()
                .get("items")
                .get(1);
        assertThat(stored.get("status").asString()).isEqualTo("failed");
    }
}
