package ai.agency.orchestration.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.FakeUpstreams;
import ai.agency.orchestration.FakeUpstreams.Answer;
import ai.agency.orchestration.FakeUpstreams.Received;
import ai.agency.orchestration.OrchestrationApiTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The {@code anthropic} provider (Spring AI's {@code AnthropicChatModel} over the official Anthropic Java SDK, built
 * from {@code agency.orchestration.providers.anthropic.*} with its base URL pointed at a fake server) against the
 * Messages API streaming wire format: {@code message_start}, {@code content_block_start/delta/stop} with
 * {@code input_json_delta} fragments of a {@code tool_use} block, {@code message_delta} with
 * {@code stop_reason: tool_use}, then a second request carrying the {@code tool_result}.
 */
class AnthropicProviderTest extends OrchestrationApiTest {

    static final String MESSAGES = "/anthropic/v1/messages";

    @BeforeEach
    void reset() {
        FakeUpstreams.reset();
    }

    static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    static String messageStart(String id, int inputTokens) {
        return event(
                "message_start",
                "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id
                        + "\",\"type\":\"message\",\"role\":\"assistant\","
                        + "\"model\":\"fake-claude\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                        + "\"usage\":{\"input_tokens\":" + inputTokens + ",\"output_tokens\":1}}}");
    }

    static String textBlock(int index, String... pieces) {
        StringBuilder frames = new StringBuilder(event(
                "content_block_start",
                "{\"type\":\"content_block_start\",\"index\":" + index
                        + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
        for (String piece : pieces) {
            frames.append(event(
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":" + index
                            + ",\"delta\":{\"type\":\"text_delta\",\"text\":\"" + piece + "\"}}"));
        }
        return frames + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}");
    }

    static String messageEnd(String stopReason, int outputTokens) {
        return event(
                        "message_delta",
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                                + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + outputTokens + "}}")
                + event("message_stop", "{\"type\":\"message_stop\"}");
    }

    static Answer sse(String... frames) {
        return Answer.stream("text/event-stream", List.of(frames));
    }

    static Answer answering(String text) {
        return sse(messageStart("msg_text", 10), textBlock(0, text), messageEnd("end_turn", 4));
    }

    String anthropicConversation(String token, List<String> tools) {
        Response agent = post(
                "/api/v1/agents",
                token,
                Map.of(
                        "name",
                        "Claude",
                        "systemPrompt",
                        "You are a calculator assistant.",
                        "model",
                        Map.of("provider", "anthropic", "temperature", 0.3),
                        "tools",
                        tools));
        assertThat(agent.status()).as(agent.body()).isEqualTo(201);
        return newConversation(token, agent.json().get("id").asString());
    }

    @Test
    void streamedToolUseRunsThroughToolServiceAndTheToolResultGoesBack() {
        FakeUpstreams.script(
                MESSAGES,
                sse(
                        messageStart("msg_1", 50),
                        textBlock(0, "Let me calculate."),
                        event(
                                "content_block_start",
                                "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
                                        + "\"id\":\"toolu_01\",\"name\":\"calculator\",\"input\":{}}}"),
                        event(
                                "content_block_delta",
                                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
                                        + "\"partial_json\":\"{\\\"expression\\\":\"}}"),
                        event(
                                "content_block_delta",
                                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
                                        + "\"partial_json\":\" \\\"6 * 7\\\"}\"}}"),
                        event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"),
                        messageEnd("tool_use", 30)),
                sse(messageStart("msg_2", 90), textBlock(0, "The answer", " is 42."), messageEnd("end_turn", 7)));

        String token = newUser();
        String conversation = anthropicConversation(token, List.of("calculator"));
        List<Event> events = stream(conversation, token, "What is six times seven?");

        assertThat(events.stream().map(Event::name).toList())
                .startsWith("start", "memory")
                .contains("tool_call", "tool_result")
                .endsWith("end");
        Event call = events.stream()
                .filter(e -> e.name().equals("tool_call"))
                .findFirst()
                .orElseThrow();
        assertThat(call.data().get("id").asString()).isEqualTo("toolu_01");
        assertThat(call.data().get("name").asString()).isEqualTo("calculator");
        assertThat(call.data().get("parameters").get("expression").asString()).isEqualTo("6 * 7");
        Event result = events.stream()
                .filter(e -> e.name().equals("tool_result"))
                .findFirst()
                .orElseThrow();
        assertThat(result.data().get("data").get("result").asDouble()).isEqualTo(42.0);
        assertThat(text(events)).isEqualTo("Let me calculate.The answer is 42.");
        assertThat(events.stream().filter(e -> e.name().equals("tool_call"))).hasSize(1);

        List<Received> requests = FakeUpstreams.received(MESSAGES);
        assertThat(requests).hasSize(2);
        Received first = requests.get(0);
        assertThat(first.header("x-api-key")).isEqualTo("test-anthropic-key");
        assertThat(first.header("anthropic-version")).isNotBlank();
        JsonNode body = first.body();
        assertThat(body.get("model").asString()).isEqualTo("fake-claude");
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.get("max_tokens").asInt()).isPositive();
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(body.get("system").toString()).contains("You are a calculator assistant.");
        JsonNode tool = body.get("tools").get(0);
        assertThat(tool.get("name").asString()).isEqualTo("calculator");
        assertThat(tool.get("input_schema").get("properties").has("expression")).isTrue();
        assertThat(body.get("messages").get(0).get("role").asString()).isEqualTo("user");

        JsonNode messages = requests.get(1).body().get("messages");
        JsonNode assistant = messages.get(messages.size() - 2);
        assertThat(assistant.get("role").asString()).isEqualTo("assistant");
        JsonNode toolUse = blocks(assistant, "tool_use").getFirst();
        assertThat(toolUse.get("id").asString()).isEqualTo("toolu_01");
        assertThat(toolUse.get("name").asString()).isEqualTo("calculator");
        assertThat(toolUse.get("input").get("expression").asString()).isEqualTo("6 * 7");
        JsonNode user = messages.get(messages.size() - 1);
        assertThat(user.get("role").asString()).isEqualTo("user");
        JsonNode toolResult = blocks(user, "tool_result").getFirst();
        assertThat(toolResult.get("tool_use_id").asString()).isEqualTo("toolu_01");
        assertThat(toolResult.get("content").toString()).contains("42");

        JsonNode stored = get("/api/v1/conversations/" + conversation + "/messages", token)
                .json()
                .get("items")
                .get(1);
        assertThat(stored.get("provider").asString()).isEqualTo("anthropic");
        assertThat(stored.get("model").asString()).isEqualTo("fake-claude");
        assertThat(stored.get("toolCalls").get(0).get("result").get("success").asBoolean())
                .isTrue();
    }

    private static List<JsonNode> blocks(JsonNode message, String type) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode block : message.get("content")) {
            if (type.equals(block.path("type").asString())) {
                found.add(block);
            }
        }
        assertThat(found).as("%s blocks in %s", type, message).isNotEmpty();
        return found;
    }
}
