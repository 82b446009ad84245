package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.orchestration.OrchestrationApiTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The whole chat loop with the local provider, over real HTTP, against the memory- and tool-service stubs. */
class LocalChatLoopTest extends OrchestrationApiTest {

    @Test
    void rememberedFactIsRecalledInANewConversation() {
        String token = newUser();
        JsonNode stored = chat(newConversation(token), token, "Remember that my favourite colour is teal.");
        assertThat(stored.get("role").asString()).isEqualTo("assistant");
        assertThat(stored.get("toolCalls").get(0).get("name").asString()).isEqualTo("add_memory");
        assertThat(stored.get("toolCalls")
                        .get(0)
                        .get("parameters")
                        .get("content")
                        .asString())
                .isEqualTo("my favourite colour is teal");
        assertThat(stored.get("content").asString()).contains("my favourite colour is teal");

        JsonNode answer = chat(newConversation(token), token, "What is my favourite colour?");
        assertThat(answer.get("content").asString()).contains("teal");
        assertThat(answer.get("memoriesUsed")).hasSize(1);
        assertThat(answer.get("memoriesUsed").get(0).get("memory").asString()).isEqualTo("my favourite colour is teal");
    }

    @Test
    void anotherUserDoesNotGetMyMemories() {
        String me = newUser();
        chat(newConversation(me), me, "Remember that my favourite fruit is quince.");
        String other = newUser();
        JsonNode answer = chat(newConversation(other), other, "What is my favourite fruit?");
        assertThat(answer.get("content").asString()).doesNotContain("quince");
        assertThat(answer.get("memoriesUsed")).isEmpty();
    }

    @Test
    void arithmeticIsAnsweredByTheCalculator() {
        String token = newUser();
        JsonNode answer = chat(newConversation(token), token, "What is 17 * 23?");
        assertThat(answer.get("content").asString()).contains("391");
        JsonNode call = answer.get("toolCalls").get(0);
        assertThat(call.get("name").asString()).isEqualTo("calculator");
        assertThat(call.get("parameters").get("expression").asString()).isEqualTo("17 * 23");
        assertThat(call.get("result").get("success").asBoolean()).isTrue();
        assertThat(call.get("result").get("data").get("result").asDouble()).isEqualTo(391.0);
        assertThat(EXECUTED).contains("calculator {\"expression\":\"17 * 23\"}");
    }

    @Test
    void streamingEmitsTheEventsInOrderWithIncreasingIds() {
        String token = newUser();
        String conversation = newConversation(token);
        List<Event> events = stream(conversation, token, "What is 12 * 12?");

        List<String> names = events.stream().map(Event::name).distinct().toList();
        assertThat(names).containsExactly("start", "memory", "tool_call", "tool_result", "token", "end");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).id()).isEqualTo(i + 1);
        }
        assertThat(events.stream().filter(e -> e.name().equals("token")).count())
                .isGreaterThan(1);
        assertThat(text(events)).isEqualTo("12 * 12 = 144.");
        Event call = events.stream()
                .filter(e -> e.name().equals("tool_call"))
                .findFirst()
                .orElseThrow();
        Event result = events.stream()
                .filter(e -> e.name().equals("tool_result"))
                .findFirst()
                .orElseThrow();
        assertThat(call.data().get("name").asString()).isEqualTo("calculator");
        assertThat(result.data().get("id").asString())
                .isEqualTo(call.data().get("id").asString());
        assertThat(result.data().get("success").asBoolean()).isTrue();
        String messageId = events.getFirst().data().get("messageId").asString();
        assertThat(events.getLast().data().get("messageId").asString()).isEqualTo(messageId);
        assertThat(events.getLast().data().get("usage").get("toolRounds").asInt())
                .isEqualTo(1);

        JsonNode messages = get("/api/v1/conversations/" + conversation + "/messages", token)
                .json()
                .get("items");
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).get("role").asString()).isEqualTo("user");
        assertThat(messages.get(1).get("id").asString()).isEqualTo(messageId);
        assertThat(messages.get(1).get("content").asString()).isEqualTo("12 * 12 = 144.");
        assertThat(messages.get(1).get("status").asString()).isEqualTo("complete");
        assertThat(messages.get(1)
                        .get("toolCalls")
                        .get(0)
                        .get("result")
                        .get("data")
                        .get("result")
                        .asDouble())
                .isEqualTo(144.0);
    }

    @Test
    void newMemoriesAreExtractedFromTheTurnInTheBackground() {
        String token = newUser();
        String conversation = newConversation(token);
        chat(conversation, token, "I moved to Lisbon last spring.");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> EXTRACTIONS.stream()
                        .anyMatch(e -> e.path("metadata")
                                .path("conversationId")
                                .asString()
                                .equals(conversation)));
        JsonNode extraction = EXTRACTIONS.stream()
                .filter(e ->
                        e.path("metadata").path("conversationId").asString().equals(conversation))
                .findFirst()
                .orElseThrow();
        assertThat(extraction.get("infer").asBoolean()).isTrue();
        assertThat(extraction.get("messages").get(0).get("role").asString()).isEqualTo("user");
        assertThat(extraction.get("messages").get(0).get("content").asString())
                .isEqualTo("I moved to Lisbon last spring.");
        assertThat(extraction.get("messages").get(1).get("role").asString()).isEqualTo("assistant");
    }

    @Test
    void anExtractionRefusedByABusyMemoryServiceIsTriedAgainUntilItIsStored() {
        String token = newUser();
        String conversation = newConversation(token);
        EXTRACTION_REFUSALS.put(conversation, new java.util.concurrent.atomic.AtomicInteger(2));

        chat(conversation, token, "I keep bees on the roof.");

        await().atMost(Duration.ofSeconds(15))
                .until(() -> EXTRACTIONS.stream()
                        .anyMatch(e -> e.path("metadata")
                                .path("conversationId")
                                .asString()
                                .equals(conversation)));
        assertThat(EXTRACTION_ATTEMPTS.get(conversation)).hasValue(3);
    }

    @Test
    void anExtractionIsGivenUpAfterThreeRefusalsWithoutFailingTheTurn() {
        String token = newUser();
        String conversation = newConversation(token);
        EXTRACTION_REFUSALS.put(conversation, new java.util.concurrent.atomic.AtomicInteger(5));

        JsonNode answer = chat(conversation, token, "I collect old maps.");

        assertThat(answer.get("status").asString()).isEqualTo("complete");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> EXTRACTION_ATTEMPTS.containsKey(conversation)
                        && EXTRACTION_ATTEMPTS.get(conversation).get() == 3);
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(4))
                .until(() -> EXTRACTION_ATTEMPTS.get(conversation).get() == 3);
        assertThat(EXTRACTIONS)
                .noneMatch(e ->
                        e.path("metadata").path("conversationId").asString().equals(conversation));
    }

    @Test
    void theWindowCarriesEarlierTurnsOfTheConversation() {
        String token = newUser();
        String conversation = newConversation(token);
        chat(conversation, token, "What time is it?");
        JsonNode second = chat(conversation, token, "What is 2 + 2?");
        assertThat(second.get("content").asString()).isEqualTo("2 + 2 = 4.");
        JsonNode messages = get("/api/v1/conversations/" + conversation + "/messages", token)
                .json()
                .get("items");
        assertThat(messages).hasSize(4);
        assertThat(messages.get(1).get("content").asString()).contains("2026-01-02T03:04:05Z");
    }
}
