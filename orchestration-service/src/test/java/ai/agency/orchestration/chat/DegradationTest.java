package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import tools.jackson.databind.JsonNode;

/**
 * A downstream that is down or busy degrades the turn; the answer still arrives and says what was skipped (a
 * {@code degraded} event, a {@code degraded} member of a non-streaming answer).
 */
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
        Event degraded = events.stream()
                .filter(e -> e.name().equals("degraded"))
                .findFirst()
                .orElseThrow();
        assertThat(degraded.data().get("skipped").toString()).isEqualTo("[\"memory\"]");
        assertThat(degraded.data().get("reason").asString()).contains("unavailable");
        assertThat(text(events)).isEqualTo("6 * 7 = 42.");
        assertThat(events.getLast().name()).isEqualTo("end");
    }

    @Test
    void memoryServiceDownTellsTheClientBeforeTheEndThatNoMemoriesWereTakenFromTheTurn() throws Exception {
        String token = newUser();
        String conversation = newConversation(token);
        MEMORY_DOWN.set(true);
        List<Event> events;
        try {
            events = stream(conversation, token, "My favourite colour is teal.");
            Thread.sleep(500); // an extraction would have been sent right after `end`, in the background
        } finally {
            MEMORY_DOWN.set(false);
        }

        // before: the extraction ran after `end`, failed against the dead service, and nobody was told
        List<String> skipped = events.stream()
                .filter(e -> e.name().equals("degraded"))
                .map(e -> e.data().get("skipped").toString())
                .toList();
        assertThat(skipped).containsExactly("[\"memory\"]", "[\"extraction\"]");
        assertThat(events.getLast().name()).isEqualTo("end");
        assertThat(EXTRACTION_ATTEMPTS.get(conversation))
                .as("no extraction sent to a memory-service known to be down")
                .isNull();
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

    /**
     * 200 chat users asking "what is 17*23" got answers without 391 while 0 errors were reported: the
     * calculator was refused (busy) and the turn counted {@code complete}. Now the model gets the refusal as the tool's
     * result and says so, the stream carries {@code degraded {skipped: ["tools"]}}, the non-streaming answer a
     * {@code degraded} member, and the turn is counted {@code degraded}.
     */
    @Test
    void aToolCallThatCannotRunMakesTheTurnDegradedAndSaysSo() {
        String local = "provider=\"local\"";
        List<String> before = scrape();
        String token = newUser();
        String conversation = newConversation(token);
        List<Event> events;
        Response plain;
        TOOLS_BUSY.set(true);
        try {
            events = stream(conversation, token, "What is 17 * 23?");
            plain = post(
                    "/api/v1/conversations/" + conversation + "/messages", token, Map.of("content", "What is 17*23?"));
        } finally {
            TOOLS_BUSY.set(false);
        }
        Event result = events.stream()
                .filter(e -> e.name().equals("tool_result"))
                .findFirst()
                .orElseThrow();
        assertThat(result.data().get("success").asBoolean()).isFalse();
        assertThat(result.data().get("error").get("errorType").asString()).isEqualTo("rate_limit");
        Event degraded = events.stream()
                .filter(e -> e.name().equals("degraded"))
                .findFirst()
                .orElseThrow();
        assertThat(degraded.data().get("skipped").toString()).isEqualTo("[\"tools\"]");
        assertThat(degraded.data().get("reason").asString())
                .contains("calculator")
                .contains("rate_limit");
        assertThat(text(events))
                .startsWith("I tried to use calculator, but it failed (rate_limit)")
                .doesNotContain("391");
        assertThat(events.getLast().name()).isEqualTo("end");

        assertThat(plain.status()).as(plain.body()).isEqualTo(200);
        assertThat(plain.json().get("message").get("content").asString())
                .startsWith("I tried to use calculator, but it failed (rate_limit)");
        assertThat(plain.json().get("degraded").get("skipped").toString()).isEqualTo("[\"tools\"]");
        assertThat(plain.json().get("degraded").get("reason").asString()).contains("rate_limit");

        List<String> after = scrape();
        assertThat(value(after, "agency_chat_turn_seconds_count", local, "outcome=\"degraded\""))
                .isEqualTo(Math.max(0, value(before, "agency_chat_turn_seconds_count", local, "outcome=\"degraded\""))
                        + 2);

        // served again: a plain answer, no degraded member
        Response served =
                post("/api/v1/conversations/" + conversation + "/messages", token, Map.of("content", "What is 17*23?"));
        assertThat(served.json().get("message").get("content").asString()).contains("391");
        assertThat(served.json().has("degraded")).isFalse();
    }

    private List<String> scrape() {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://localhost:" + port + "/actuator/prometheus"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return Arrays.asList(response.body().split("\n"));
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of the series of {@code metric} that has all {@code labels}, or -1. */
    private static double value(List<String> lines, String metric, String... labels) {
        return lines.stream()
                .filter(l -> l.startsWith(metric + "{") && Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(-1);
    }
}
