package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.FakeUpstreams;
import ai.agency.orchestration.FakeUpstreams.Answer;
import ai.agency.orchestration.FakeUpstreams.Received;
import ai.agency.orchestration.OrchestrationApiTest;
import ai.agency.orchestration.model.SummaryPrompt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The running summary: with {@code history-messages=4} (the tests' window), messages that leave the window are
 * summarised after the turn by the agent's model (the local model extractively) and kept on the conversation; the
 * next turn's prompt (sent to the fake Ollama server) has that summary and only the last 4 messages.
 */
class SummaryTest extends OrchestrationApiTest {

    private static final String CHAT = "/ollama/api/chat";

    @BeforeEach
    void reset() {
        FakeUpstreams.reset();
    }

    private static String line(String content, boolean done) {
        return "{\"model\":\"fake-llama\",\"created_at\":\"2026-01-02T03:04:05Z\",\"message\":{\"role\":\"assistant\","
                + "\"content\":\"" + content + "\"},\"done\":" + done
                + (done ? ",\"done_reason\":\"stop\",\"prompt_eval_count\":5,\"eval_count\":5" : "") + "}\n";
    }

    private JsonNode conversation(String token, String id) {
        Response response = get("/api/v1/conversations/" + id, token);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    @Test
    void olderTurnsAreSummarisedAndTheNextPromptHasTheSummaryAndTheLastFourMessages() {
        String token = newUser();
        Map<String, Object> agent = Map.of(
                "name",
                "Summariser",
                "model",
                Map.of("provider", "local"),
                "tools",
                List.of("calculator", "add_memory"));
        Response created = post("/api/v1/agents", token, agent);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String agentId = created.json().get("id").asString();
        String id = newConversation(token, agentId);

        chat(id, token, "Remember that my favourite colour is teal. It is calm.");
        chat(id, token, "What is 2 + 3?");
        assertThat(conversation(token, id).path("summary").isNull())
                .as("4 messages fit the window")
                .isTrue();
        chat(id, token, "What is 4 * 5?");

        // 6 messages: the first two left the window and are summarised by the local model, extractively
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(conversation(token, id).path("summary").asString())
                                .isEqualTo("- The user said: \"Remember that my favourite colour is teal.\""));

        Map<String, Object> remote = Map.of("name", "Summariser", "model", Map.of("provider", "ollama"));
        Response changed = send("PUT", "/api/v1/agents/" + agentId, token, remote);
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        FakeUpstreams.script(
                CHAT,
                Answer.stream("application/x-ndjson", List.of(line("Teal.", false), line("", true))),
                Answer.json(
                        200,
                        line("The user likes teal and asked for two sums.", true)
                                .strip()));

        List<Event> events = stream(id, token, "What colour did I mention?");
        assertThat(text(events)).isEqualTo("Teal.");

        JsonNode prompt = FakeUpstreams.received(CHAT).getFirst().body().get("messages");
        List<String> contents = new ArrayList<>();
        prompt.forEach(m ->
                contents.add(m.get("role").asString() + ": " + m.get("content").asString()));
        assertThat(contents.getFirst())
                .startsWith("system: ")
                .contains(
                        "Summary of the earlier conversation:\n- The user said: \"Remember that my favourite colour is teal.\"")
                .doesNotContain("not shown");
        assertThat(contents.subList(1, contents.size()))
                .containsExactly(
                        "user: What is 2 + 3?",
                        "assistant: 2 + 3 = 5.",
                        "user: What is 4 * 5?",
                        "assistant: 4 * 5 = 20.",
                        "user: What colour did I mention?");

        // 8 messages now: turns 2's messages leave the window, summarised by the agent's (Ollama) model
        await().atMost(Duration.ofSeconds(20))
                .until(() -> FakeUpstreams.received(CHAT).size() == 2);
        Received summaryRequest = FakeUpstreams.received(CHAT).get(1);
        assertThat(summaryRequest.body().get("stream").asBoolean()).isFalse();
        JsonNode messages = summaryRequest.body().get("messages");
        assertThat(messages.get(0).get("content").asString()).isEqualTo(SummaryPrompt.INSTRUCTION);
        assertThat(messages.get(1).get("content").asString())
                .contains("Summary so far:\n- The user said: \"Remember that my favourite colour is teal.\"")
                .contains("user: What is 2 + 3?\nassistant: 2 + 3 = 5.")
                .doesNotContain("4 * 5");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(conversation(token, id).path("summary").asString())
                                .isEqualTo("The user likes teal and asked for two sums."));
    }
}
