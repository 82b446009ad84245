package ai.agency.memory.extraction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.memory.FakeAiServer;
import ai.agency.memory.MemoryProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** LLM fact extraction against a local server speaking the Chat Completions wire format, and its fallback. */
class LlmFactExtractorTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<LlmFactExtractor.Turn> CONVERSATION = List.of(
            new LlmFactExtractor.Turn("system", "You are helpful."),
            new LlmFactExtractor.Turn("user", "Hi! I just moved to Porto and I started learning the cello."),
            new LlmFactExtractor.Turn("assistant", "Welcome to Porto! How do you like the cello?"),
            new LlmFactExtractor.Turn("user", "Love it. Can you recommend a teacher?"));
    private static final List<String> USER_TEXTS = List.of(
            "Hi! I just moved to Porto and I started learning the cello.", "Love it. Can you recommend a teacher?");

    private final FakeAiServer server = new FakeAiServer(16);

    @AfterEach
    void stop() {
        server.close();
    }

    private static MemoryProperties settings(String baseUrl) {
        MemoryProperties d = MemoryProperties.defaults(384, null);
        return new MemoryProperties(
                384,
                d.embeddingModel(),
                d.duplicateSimilarity(),
                d.maxSearchLimit(),
                d.maxContentLength(),
                d.search(),
                d.embedding(),
                new MemoryProperties.Extraction(baseUrl, "sk-chat", "fake-chat", Duration.ofSeconds(5), 50));
    }

    private FactExtraction extraction(String baseUrl) {
        return new FactExtraction(new FactExtractor(), settings(baseUrl), JSON, new SimpleMeterRegistry());
    }

    private static List<String> texts(LlmFactExtractor llm, String answer) {
        return llm.parseFacts(answer, 0).stream()
                .map(LlmFactExtractor.Fact::text)
                .toList();
    }

    @Test
    void showsTheModelTheCurrentMemoriesAndReadsWhichOnesAFactSupersedes() {
        server.answerChat(body -> FakeAiServer.Answer.completion(
                "{\"facts\": [{\"fact\": \"I work at Globex\", \"supersedes\": [\"m2\", \"m9\", 1]},"
                        + " \"I am learning the cello\"]}"));

        List<LlmFactExtractor.Fact> facts = llm().extract(CONVERSATION, List.of("I live in Porto", "I work at Acme"));

        assertThat(facts)
                .containsExactly(
                        new LlmFactExtractor.Fact("I work at Globex", List.of(1, 0)),
                        LlmFactExtractor.Fact.of("I am learning the cello"));
        JsonNode body = server.requests("/v1/chat/completions").getFirst().body();
        assertThat(body.get("messages").get(0).get("content").asString()).contains("\"supersedes\"");
        assertThat(body.get("messages").get(1).get("content").asString())
                .contains("Current memories:\n[m1] I live in Porto\n[m2] I work at Acme\n");
    }

    private LlmFactExtractor llm() {
        return new LlmFactExtractor(settings(server.baseUrl() + "/v1"), JSON);
    }

    @Test
    void asksTheChatModelForFactsAboutTheUserAndStoresItsAnswer() {
        server.answerChat(body ->
                FakeAiServer.Answer.completion("{\"facts\": [\"I moved to Porto\", \"I am learning the cello\"]}"));

        List<String> facts = extraction(server.baseUrl() + "/v1").extract(CONVERSATION, USER_TEXTS, List.of()).stream()
                .map(LlmFactExtractor.Fact::text)
                .toList();

        assertThat(facts).containsExactly("I moved to Porto", "I am learning the cello");
        FakeAiServer.Request request = server.requests("/v1/chat/completions").getFirst();
        assertThat(request.authorization()).isEqualTo("Bearer sk-chat");
        JsonNode body = request.body();
        assertThat(body.get("model").asString()).isEqualTo("fake-chat");
        assertThat(body.get("response_format").get("type").asString()).isEqualTo("json_object");
        assertThat(body.get("messages").get(0).get("role").asString()).isEqualTo("system");
        assertThat(body.get("messages").get(0).get("content").asString()).contains("atomic", "\"facts\"");
        String transcript = body.get("messages").get(1).get("content").asString();
        assertThat(transcript)
                .contains("user: Hi! I just moved to Porto")
                .contains("assistant: Welcome to Porto!")
                .doesNotContain("You are helpful");
    }

    @Test
    void parsesAnswersWrappedInFencesOrProseBareArraysAndObjects() {
        LlmFactExtractor llm = llm();

        assertThat(texts(llm, "```json\n{\"facts\": [\"I am vegan\"]}\n```")).containsExactly("I am vegan");
        assertThat(texts(llm, "Here are the facts:\n[\"I am vegan\", \"  I  run   marathons \"] Hope it helps!"))
                .containsExactly("I am vegan", "I run marathons");
        assertThat(texts(llm, "{\"memories\": [{\"fact\": \"I am vegan\"}, {\"text\": \"I own a cat\"}]}"))
                .containsExactly("I am vegan", "I own a cat");
        assertThat(texts(llm, "{\"facts\": [\"I am vegan\", \"I am vegan\", \"\"]}"))
                .containsExactly("I am vegan");
        assertThat(texts(llm, "{\"facts\": []}")).isEmpty();
    }

    @Test
    void refusesAnswersWithoutAListOfFacts() {
        LlmFactExtractor llm = llm();

        for (String garbage : List.of(
                "I could not find any facts.", "{\"facts\": \"I am vegan\"}", "{\"facts\": [1, 2]}", "{\"facts\": [")) {
            assertThatThrownBy(() -> llm.parseFacts(garbage, 0))
                    .as(garbage)
                    .isInstanceOf(LlmFactExtractor.ExtractionFailedException.class);
        }
    }

    @Test
    void fallsBackToTheRuleBasedExtractorWhenTheModelAnswersGarbage() {
        server.answerChat(body -> FakeAiServer.Answer.completion("Sure! The user likes Porto."));

        List<String> facts = extraction(server.baseUrl() + "/v1").extract(CONVERSATION, USER_TEXTS, List.of()).stream()
                .map(LlmFactExtractor.Fact::text)
                .toList();

        assertThat(facts).containsExactly("I just moved to Porto and I started learning the cello.");
        assertThat(server.requests("/v1/chat/completions")).hasSize(1);
    }

    @Test
    void fallsBackToTheRuleBasedExtractorWhenTheModelFailsOrIsUnreachable() {
        server.answerChat(body -> new FakeAiServer.Answer(500, "{\"error\": {\"message\": \"overloaded\"}}"));
        int closedPort;
        try (var probe = new FakeAiServer(16)) {
            closedPort = Integer.parseInt(probe.baseUrl().replaceAll(".*:", ""));
        }

        List<String> afterError =
                extraction(server.baseUrl() + "/v1").extract(CONVERSATION, USER_TEXTS, List.of()).stream()
                        .map(LlmFactExtractor.Fact::text)
                        .toList();
        List<String> unreachable =
                extraction("http://127.0.0.1:" + closedPort + "/v1")
                        .extract(CONVERSATION, USER_TEXTS, List.of())
                        .stream()
                        .map(LlmFactExtractor.Fact::text)
                        .toList();
        List<String> notAChatCompletion =
                extraction(server.baseUrl() + "/elsewhere").extract(CONVERSATION, USER_TEXTS, List.of()).stream()
                        .map(LlmFactExtractor.Fact::text)
                        .toList();

        assertThat(afterError).containsExactly("I just moved to Porto and I started learning the cello.");
        assertThat(unreachable).isEqualTo(afterError);
        assertThat(notAChatCompletion).isEqualTo(afterError);
    }

    @Test
    void withoutAConfiguredModelTheRuleBasedExtractorIsUsed() {
        List<String> facts = extraction("").extract(CONVERSATION, USER_TEXTS, List.of()).stream()
                .map(LlmFactExtractor.Fact::text)
                .toList();

        assertThat(facts).containsExactly("I just moved to Porto and I started learning the cello.");
        assertThat(server.requests()).isEmpty();
    }
}
