package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The service configured for remote providers — OpenAI-compatible embeddings (16 dimensions) and LLM fact
 * extraction — against a local server speaking their wire formats, through the real REST API. (A Spring context
 * and database of its own.)
 */
class RemoteProvidersApiTest extends MemoryApiTest {

    private static final FakeAiServer AI = new FakeAiServer(16);

    @Autowired
    private DataSource dataSource;

    @DynamicPropertySource
    static void remoteProviders(DynamicPropertyRegistry registry) {
        registry.add("agency.memory.dimensions", () -> 16);
        registry.add("agency.memory.embedding-model", () -> "fake-embed");
        registry.add("agency.memory.embedding.provider", () -> "openai");
        registry.add("agency.memory.embedding.base-url", () -> AI.baseUrl() + "/v1");
        registry.add("agency.memory.embedding.api-key", () -> "sk-embed");
        registry.add("agency.memory.extraction.base-url", () -> AI.baseUrl() + "/v1");
        registry.add("agency.memory.extraction.model", () -> "fake-chat");
    }

    @AfterAll
    static void stop() {
        AI.close();
    }

    private static Map<String, Object> conversation(String... userMessages) {
        return Map.of(
                "messages",
                java.util.Arrays.stream(userMessages)
                        .map(m -> Map.of("role", "user", "content", m))
                        .toList());
    }

    @Test
    void factsComeFromTheLlmAndVectorsFromTheEmbeddingProvider() {
        AI.answerChat(body -> body.toString().contains("Porto")
                ? FakeAiServer.Answer.completion(
                        "```json\n{\"facts\": [\"I moved to Porto in March\", \"I play the cello\"]}\n```")
                : FakeAiServer.Answer.completion("{\"facts\": []}"));
        String token = newUser();
        int embeddingCalls = AI.requests("/v1/embeddings").size();

        Response added = add(token, conversation("Guess what, I moved to Porto in March! And I play the cello."));

        assertThat(added.status()).as(added.body()).isEqualTo(201);
        JsonNode results = added.json().get("results");
        assertThat(results)
                .extracting(r -> r.get("memory").asString())
                .containsExactly("I moved to Porto in March", "I play the cello");
        assertThat(results).extracting(r -> r.get("event").asString()).containsExactly("ADD", "ADD");
        List<FakeAiServer.Request> embeddings = AI.requests("/v1/embeddings");
        assertThat(embeddings).hasSize(embeddingCalls + 1);
        assertThat(embeddings.getLast().body().get("input").size()).isEqualTo(2);
        assertThat(embeddings.getLast().authorization()).isEqualTo("Bearer sk-embed");

        Response found = search(token, Map.of("query", "cello", "mode", "dense"));

        assertThat(texts(found).getFirst()).isEqualTo("I play the cello");
        assertThat(AI.requests("/v1/embeddings")
                        .getLast()
                        .body()
                        .get("input")
                        .get(0)
                        .asString())
                .isEqualTo("cello");
    }

    @Test
    void theLlmNamesTheCurrentMemoryANewFactSupersedesAndItIsClosedNotOverwritten() {
        String token = newUser();
        AI.answerChat(body -> FakeAiServer.Answer.completion("{\"facts\": [\"I work at Acme\"]}"));
        String acme = add(token, conversation("I work at Acme."))
                .json()
                .get("results")
                .get(0)
                .get("id")
                .asString();
        AI.answerChat(body -> {
            String shown = body.get("messages").get(1).get("content").asString();
            java.util.regex.Matcher ref = java.util.regex.Pattern.compile("\\[(m\\d+)] I work at Acme")
                    .matcher(shown);
            return FakeAiServer.Answer.completion(
                    ref.find()
                            ? "{\"facts\": [{\"fact\": \"I work at Globex\", \"supersedes\": [\"" + ref.group(1)
                                    + "\", \"m99\"]}]}"
                            : "{\"facts\": [\"I work at Globex\"]}");
        });

        Response added = add(token, conversation("Big news: I just joined Globex!"));

        assertThat(added.status()).as(added.body()).isEqualTo(201);
        JsonNode results = added.json().get("results");
        assertThat(results)
                .extracting(
                        r -> r.get("event").asString() + " " + r.get("memory").asString())
                .containsExactly("ADD I work at Globex", "SUPERSEDE I work at Acme");
        String globex = results.get(0).get("id").asString();
        assertThat(results.get(1).get("id").asString()).isEqualTo(acme);
        assertThat(texts(search(token, Map.of("query", "work")))).containsExactly("I work at Globex");
        assertThat(texts(search(token, Map.of("query", "work", "includeInvalid", true))))
                .containsExactlyInAnyOrder("I work at Globex", "I work at Acme");
        JsonNode closed = get("/api/v1/memories/" + acme, token).json();
        assertThat(closed.get("memory").asString()).isEqualTo("I work at Acme");
        assertThat(closed.get("supersededBy").asString()).isEqualTo(globex);
        assertThat(closed.get("invalidAt").asString())
                .isEqualTo(get("/api/v1/memories/" + globex, token)
                        .json()
                        .get("validFrom")
                        .asString());
        assertThat(get("/api/v1/memories/" + acme + "/history", token).json().get("items"))
                .extracting(e -> e.get("event").asString())
                .containsExactly("ADD", "SUPERSEDE");
    }

    @Test
    void memoriesOfOtherUsersAreNeverShownToTheLlm() {
        String other = newUser();
        AI.answerChat(body -> FakeAiServer.Answer.completion("{\"facts\": [\"I keep bees in Norway\"]}"));
        add(other, conversation("I keep bees in Norway."));
        String token = newUser();
        AI.answerChat(body -> FakeAiServer.Answer.completion("{\"facts\": [\"I keep goats in Norway\"]}"));
        add(token, conversation("I keep goats."));
        AI.answerChat(body -> FakeAiServer.Answer.completion(
                "{\"facts\": [{\"fact\": \"I keep sheep in Norway\", " + "\"supersedes\": [\"m1\", \"m2\"]}]}"));

        Response added = add(token, conversation("Now I keep sheep instead."));

        String shown = AI.requests("/v1/chat/completions")
                .getLast()
                .body()
                .get("messages")
                .get(1)
                .get("content")
                .asString();
        assertThat(shown)
                .contains("[m1] I keep goats in Norway")
                .doesNotContain("bees")
                .doesNotContain("[m2]");
        assertThat(added.json().get("results"))
                .extracting(
                        r -> r.get("event").asString() + " " + r.get("memory").asString())
                .containsExactly("ADD I keep sheep in Norway", "SUPERSEDE I keep goats in Norway");
        assertThat(texts(search(other, Map.of("query", "bees", "mode", "text"))))
                .containsExactly("I keep bees in Norway");
    }

    @Test
    void anAddWaitingForTheLlmAndTheEmbeddingsHoldsNoDatabaseConnection() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        AI.answerChat(body -> {
            asked.countDown();
            try {
                answer.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeAiServer.Answer.completion("{\"facts\": [\"I grow orchids on my balcony\"]}");
        });
        String token = newUser();
        HikariPoolMXBean pool = dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean();

        CompletableFuture<Response> added =
                CompletableFuture.supplyAsync(() -> add(token, conversation("I grow orchids on my balcony.")));
        try {
            assertThat(asked.await(30, TimeUnit.SECONDS)).isTrue();
            // background jobs may borrow a connection for a moment; the add, waiting for the LLM, holds none
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.getActiveConnections() == 0);
            // and reads go on meanwhile (a search would wait: this fake answers one request at a time)
            Response listed = get("/api/v1/memories", token);
            assertThat(listed.status()).as(listed.body()).isEqualTo(200);
            assertThat(listed.json().get("items")).isEmpty();
        } finally {
            answer.countDown();
        }

        Response response = added.get(60, TimeUnit.SECONDS);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        assertThat(response.json().get("results"))
                .extracting(
                        r -> r.get("memory").asString() + " " + r.get("event").asString())
                .containsExactly("I grow orchids on my balcony ADD");
        assertThat(texts(search(token, Map.of("query", "orchids")))).containsExactly("I grow orchids on my balcony");
    }

    @Test
    void whenTheLlmAnswersGarbageTheRuleBasedExtractorStoresTheUsersOwnStatements() {
        AI.answerChat(body -> FakeAiServer.Answer.completion("I am sorry, I cannot help with that."));
        String token = newUser();

        Response added = add(token, conversation("Hello!", "I work as a nurse in Leeds.", "What time is it?"));

        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.json().get("results"))
                .extracting(r -> r.get("memory").asString())
                .containsExactly("I work as a nurse in Leeds.");
    }

    @Test
    void anEmptyListOfFactsStoresNothing() {
        AI.answerChat(body -> FakeAiServer.Answer.completion("{\"facts\": []}"));
        String token = newUser();

        Response added = add(token, conversation("I think I love rainy days."));

        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.json().get("results")).isEmpty();
        assertThat(texts(search(token, Map.of("query", "rainy days")))).isEmpty();
    }

    @Test
    void contentIsStoredAsGivenWithoutAskingTheLlm() {
        String token = newUser();
        int chatCalls = AI.requests("/v1/chat/completions").size();

        String id = addOk(token, "I keep bees on my roof 🐝");

        assertThat(AI.requests("/v1/chat/completions")).hasSize(chatCalls);
        assertThat(get("/api/v1/memories/" + id, token).json().get("memory").asString())
                .isEqualTo("I keep bees on my roof 🐝");
    }
}
