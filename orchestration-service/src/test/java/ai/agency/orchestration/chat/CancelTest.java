package ai.agency.orchestration.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.FakeUpstreams;
import ai.agency.orchestration.FakeUpstreams.Answer;
import ai.agency.orchestration.OrchestrationApiTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Cancelling a turn mid-stream, against a slow fake Ollama server (one word every 100 ms, 40 words): closing the SSE
 * stream, or {@code POST /api/v1/conversations/{id}/cancel}, stops the model call (the provider connection is
 * closed) and persists the words produced so far with {@code status: cancelled}.
 */
class CancelTest extends OrchestrationApiTest {

    private static final String CHAT = "/ollama/api/chat";
    private static final int WORDS = 40;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void reset() {
        FakeUpstreams.reset();
    }

    private static void scriptSlowAnswer() {
        List<String> lines = new ArrayList<>();
        IntStream.range(0, WORDS)
                .forEach(i -> lines.add("{\"model\":\"fake-llama\",\"created_at\":\"2026-01-02T03:04:05Z\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"w" + i + " \"},\"done\":false}\n"));
        lines.add(
                "{\"model\":\"fake-llama\",\"created_at\":\"2026-01-02T03:04:05Z\",\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":5,\"eval_count\":40}\n");
        FakeUpstreams.script(CHAT, Answer.stream("application/x-ndjson", lines).slowly(100));
    }

    private static void scriptSlowAnthropicAnswer() {
        List<String> frames = new ArrayList<>();
        frames.add(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_slow\","
                        + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"fake-claude\",\"content\":[],"
                        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n");
        frames.add("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        IntStream.range(0, WORDS)
                .forEach(i ->
                        frames.add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"w" + i + " \"}}\n\n"));
        frames.add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        frames.add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":40}}\n\n");
        frames.add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        FakeUpstreams.script(
                "/anthropic/v1/messages",
                Answer.stream("text/event-stream", frames).slowly(100));
    }

    private String conversation(String token, String provider) {
        Response agent = post(
                "/api/v1/agents",
                token,
                Map.of("name", "Slow", "model", Map.of("provider", provider), "tools", List.of()));
        assertThat(agent.status()).as(agent.body()).isEqualTo(201);
        return newConversation(token, agent.json().get("id").asString());
    }

    @Test
    void cancellingAnAnthropicStreamClosesItsConnection() throws Exception {
        scriptSlowAnthropicAnswer();
        String token = newUser();
        String conversation = conversation(token, "anthropic");
        List<Event> events = new CopyOnWriteArrayList<>();
        InputStream body = openStream(conversation, token);
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> read(body, events));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> events.stream().anyMatch(e -> e.name().equals("token")));

        Response cancelled = post("/api/v1/conversations/" + conversation + "/cancel", token, null);
        assertThat(cancelled.json().get("cancelled").asInt()).isEqualTo(1);
        reading.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(events.getLast().data().get("status").asString()).isEqualTo("cancelled");
        assertThat(answer(conversation, token).get("content").asString().split(" "))
                .hasSizeLessThan(WORDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> FakeUpstreams.HUNG_UP.contains("/anthropic/v1/messages"));
    }

    private String ollamaConversation(String token) {
        Response agent = post(
                "/api/v1/agents",
                token,
                Map.of("name", "Slow", "model", Map.of("provider", "ollama"), "tools", List.of()));
        assertThat(agent.status()).as(agent.body()).isEqualTo(201);
        return newConversation(token, agent.json().get("id").asString());
    }

    private InputStream openStream(String conversation, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/conversations/" + conversation + "/messages"))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(Map.of("content", "Tell me a story."))))
                .build();
        HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** Reads SSE frames into {@code events} until the stream ends. */
    private static void read(InputStream body, List<Event> events) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = null;
            long id = -1;
            StringBuilder data = new StringBuilder();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty()) {
                    if (name != null) {
                        events.add(new Event(id, name, JSON.readTree(data.toString())));
                    }
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = Long.parseLong(line.substring(3).strip());
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode answer(String conversation, String token) {
        JsonNode items = get("/api/v1/conversations/" + conversation + "/messages", token)
                .json()
                .get("items");
        return items.size() < 2 ? null : items.get(1);
    }

    @Test
    void closingTheStreamStopsTheProviderCallAndKeepsWhatWasSaid() throws Exception {
        scriptSlowAnswer();
        String token = newUser();
        String conversation = ollamaConversation(token);
        InputStream body = openStream(conversation, token);
        BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        for (String line = reader.readLine(); line != null && !line.equals("event: token"); line = reader.readLine()) {
            // until the first token
        }
        body.close();

        await().atMost(Duration.ofSeconds(20)).until(() -> answer(conversation, token) != null);
        JsonNode stored = answer(conversation, token);
        assertThat(stored.get("status").asString()).isEqualTo("cancelled");
        String content = stored.get("content").asString();
        assertThat(content).startsWith("w0 ");
        assertThat(content.split(" ")).hasSizeLessThan(WORDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> FakeUpstreams.HUNG_UP.contains(CHAT));
    }

    @Test
    void theCancelEndpointStopsTheTurnAndTheClientGetsEndCancelled() throws Exception {
        scriptSlowAnswer();
        String token = newUser();
        String conversation = ollamaConversation(token);
        List<Event> events = new CopyOnWriteArrayList<>();
        InputStream body = openStream(conversation, token);
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> read(body, events));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> events.stream().anyMatch(e -> e.name().equals("token")));

        assertProblem(post("/api/v1/conversations/" + conversation + "/cancel", newUser(), null), 404, "not_found");
        Response cancelled = post("/api/v1/conversations/" + conversation + "/cancel", token, null);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json().get("cancelled").asInt()).isEqualTo(1);

        reading.get(20, java.util.concurrent.TimeUnit.SECONDS);
        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("end");
        assertThat(last.data().get("status").asString()).isEqualTo("cancelled");
        JsonNode stored = answer(conversation, token);
        assertThat(stored.get("status").asString()).isEqualTo("cancelled");
        assertThat(stored.get("id").asString())
                .isEqualTo(events.getFirst().data().get("messageId").asString());
        assertThat(stored.get("content").asString()).isEqualTo(text(events)).startsWith("w0 ");
        assertThat(stored.get("content").asString().split(" ")).hasSizeLessThan(WORDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> FakeUpstreams.HUNG_UP.contains(CHAT));

        Response again = post("/api/v1/conversations/" + conversation + "/cancel", token, null);
        assertThat(again.json().get("cancelled").asInt())
                .as("nothing is running any more")
                .isZero();
    }
}
