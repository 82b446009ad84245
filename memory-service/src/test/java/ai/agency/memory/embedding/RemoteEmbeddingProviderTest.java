package ai.agency.memory.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.error.AgencyException;
import ai.agency.common.testsupport.TestDatabase;
import ai.agency.memory.FakeAiServer;
import ai.agency.memory.MemoryProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

/** The OpenAI-compatible and Ollama embedding providers against a local server speaking their wire formats. */
class RemoteEmbeddingProviderTest {

    private final FakeAiServer server = new FakeAiServer(16);

    @AfterEach
    void stop() {
        server.close();
    }

    private static MemoryProperties settings(String provider, String baseUrl, String apiKey, int batchSize) {
        MemoryProperties d = MemoryProperties.defaults(16, null);
        return new MemoryProperties(
                16,
                "fake-embed",
                d.duplicateSimilarity(),
                d.maxSearchLimit(),
                d.maxContentLength(),
                d.search(),
                new MemoryProperties.Embedding(provider, baseUrl, apiKey, Duration.ofSeconds(5), batchSize, 0, 1, 0),
                d.extraction());
    }

    @Test
    void openAiProviderSendsTheModelAndInputsAndKeepsTheInputOrder() {
        var provider = new OpenAiEmbeddingProvider(settings("openai", server.baseUrl() + "/v1/", "sk-test", 64));
        List<String> texts = List.of("I live in Berlin", "My dog is called Max", "I like green tea");

        List<float[]> vectors = provider.embedAll(texts);

        assertThat(vectors).hasSize(3);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(vectors.get(i)).containsExactly(server.vector(texts.get(i)));
        }
        FakeAiServer.Request request = server.requests("/v1/embeddings").getFirst();
        assertThat(request.authorization()).isEqualTo("Bearer sk-test");
        assertThat(request.body().get("model").asString()).isEqualTo("fake-embed");
        assertThat(request.body().get("encoding_format").asString()).isEqualTo("float");
        assertThat(request.body().get("input").valueStream().map(JsonNode::asString))
                .containsExactlyElementsOf(texts);
    }

    @Test
    void openAiProviderSplitsLargeBatches() {
        var provider = new OpenAiEmbeddingProvider(settings("openai", server.baseUrl() + "/v1", "", 2));

        List<float[]> vectors = provider.embedAll(List.of("one a", "two b", "three c", "four d", "five e"));

        assertThat(vectors).hasSize(5);
        assertThat(vectors.get(4)).containsExactly(server.vector("five e"));
        assertThat(server.requests("/v1/embeddings"))
                .extracting(r -> r.body().get("input").size())
                .containsExactly(2, 2, 1);
        assertThat(server.requests().getFirst().authorization()).isNull();
    }

    @Test
    void ollamaProviderUsesTheNativeEmbedEndpoint() {
        var provider = new OllamaEmbeddingProvider(settings("ollama", server.baseUrl(), "", 64));

        List<float[]> vectors = provider.embedAll(List.of("I play the violin", "I was born in Lisbon"));

        assertThat(vectors.get(0)).containsExactly(server.vector("I play the violin"));
        assertThat(vectors.get(1)).containsExactly(server.vector("I was born in Lisbon"));
        FakeAiServer.Request request = server.requests("/api/embed").getFirst();
        assertThat(request.body().get("model").asString()).isEqualTo("fake-embed");
        assertThat(request.body().get("input").size()).isEqualTo(2);
    }

    @Test
    void anUnreachableOrFailingProviderIsA503NamingTheProvider() {
        int closedPort;
        try (var probe = new FakeAiServer(16)) {
            closedPort = Integer.parseInt(probe.baseUrl().replaceAll(".*:", ""));
        }
        var unreachable = new OllamaEmbeddingProvider(settings("ollama", "http://127.0.0.1:" + closedPort, "", 64));
        var wrongPath = new OpenAiEmbeddingProvider(settings("openai", server.baseUrl() + "/nowhere", "", 64));

        for (EmbeddingProvider provider : List.of(unreachable, wrongPath)) {
            assertThatThrownBy(() -> provider.embedAll(List.of("hello there")))
                    .isInstanceOfSatisfying(
                            AgencyException.class,
                            e -> assertThat(e.status().value()).isEqualTo(503))
                    .hasMessageContaining(provider.name());
        }
    }

    @Test
    void aProviderMakingVectorsOfAnotherSizeStopsTheServiceAtStartUp() {
        TestDatabase.Coordinates database = TestDatabase.create();
        JdbcClient jdbc = JdbcClient.create(
                new DriverManagerDataSource(database.url(), database.username(), database.password()));
        jdbc.sql("""
                        CREATE TABLE embedding_config (
                            id          boolean PRIMARY KEY DEFAULT true CHECK (id),
                            model       text        NOT NULL,
                            dimensions  int         NOT NULL,
                            created_at  timestamptz NOT NULL DEFAULT now())""").update();
        server.embeddingDimensions(24);
        var provider = new OpenAiEmbeddingProvider(settings("openai", server.baseUrl() + "/v1", "", 64));
        Embedder embedder =
                new Embedder(provider, settings("openai", server.baseUrl(), "", 64), jdbc, new SimpleMeterRegistry());

        assertThatThrownBy(embedder::warmUp)
                .isInstanceOf(Embedder.DimensionMismatchException.class)
                .hasMessageContaining("24")
                .hasMessageContaining("16")
                .hasMessageContaining("fake-embed");
    }
}
