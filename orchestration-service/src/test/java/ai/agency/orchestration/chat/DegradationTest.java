package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.orchestration.OrchestrationApiTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import tools.jackson.databind.JsonNode;

/** A downstream that is down degrades the turn; the answer still arrives. */
@Isolated
class DegradationTest extends OrchestrationApiTest {

    @Test
    void memoryServiceDownStillAnswersWithAMemoryEventSayingRecallWasUnavailable() {
        String token = newUser();
        String conversation = newConversation(token);
        MEMORY_DOWN.set(true);
        List<Event> events;
        try {
            events = stream(conversation, token, "What is 6 * 7?");
        } finally {
            MEMORY_DOWN.set(false);
        }
        Event memory = events.stream()
                .filter(e -> e.name().equals("memory"))
                .findFirst()
                .orElseThrow();
        assertThat(memory.data().get("available").asBoolean()).isFalse();
        assertThat(memory.data().get("used")).isEmpty();
        assertThat(memory.data().get("note").asString()).contains("unavailable");
        assertThat(text(events)).isEqualTo("6 * 7 = 42.");
        assertThat(events.getLast().name()).isEqualTo("end");
    }

    @Test
    void toolServiceDownGivesTheModelAnErrorResultAndTheAnswerStillArrives() {
        String token = newUser();
        String conversation = newConversation(token);
        TOOLS_DOWN.set(true);
        List<Event> events;
        try {
            events = stream(conversation, token, "What is 5 * 5?");
        } finally {
            TOOLS_DOWN.set(false);
        }
        Event result = events.stream()
                .filter(e -> e.name().equals("tool_result"))
                .findFirst()
                .orElseThrow();
        assertThat(result.data().get("success").asBoolean()).isFalse();
        assertThat(result.data().get("error").get("errorType").asString()).isEqualTo("service_unavailable");
        assertThat(text(events)).startsWith("I tried to use calculator, but it failed (service_unavailable)");
        assertThat(events.getLast().name()).isEqualTo("end");
        JsonNode stored = get("/api/v1/conversations/" + conversation + "/messages", token)
                .json()
                .get("items")
                .get(1);
        assertThat(stored.get("toolCalls").get(0).get("result").get("success").asBoolean())
                .isFalse();
    }
}
