package ai.agency.memory.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.testsupport.TestDatabase;
import ai.agency.memory.MemoryProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The guard against mixing vectors of different sizes, on a database of its own (no Spring context). */
class EmbedderDimensionGuardTest {

    private static final MemoryProperties.Search SEARCH = new MemoryProperties.Search(
            "rrf", 1.0, 1.0, 60, 50, 1.2, 0.75, 0, java.time.Duration.ofDays(30), 0, 20000, 0.0, 0.0, 0.0, 0.0);
    private static final MemoryProperties PROPERTIES = MemoryProperties.defaults(384, SEARCH);

    private static EmbeddingProvider model;

    @BeforeAll
    static void loadModel() {
        model = new LocalEmbeddingProvider(1, 1);
    }

    private static JdbcClient freshDatabaseWithEmbeddingConfig() {
        TestDatabase.Coordinates database = TestDatabase.create();
        JdbcClient jdbc = JdbcClient.create(
                new DriverManagerDataSource(database.url(), database.username(), database.password()));
        jdbc.sql("""
                        CREATE TABLE embedding_config (
                            id          boolean PRIMARY KEY DEFAULT true CHECK (id),
                            model       text        NOT NULL,
                            dimensions  int         NOT NULL,
                            created_at  timestamptz NOT NULL DEFAULT now())""").update();
        return jdbc;
    }

    @Test
    void refusesToStartOnDataStoredWithAnotherDimension() {
        JdbcClient jdbc = freshDatabaseWithEmbeddingConfig();
        jdbc.sql("INSERT INTO embedding_config (model, dimensions) VALUES ('nomic-embed-text', 768)")
                .update();

        assertThatThrownBy(() -> new Embedder(
                        model, PROPERTIES, jdbc, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("768")
                .hasMessageContaining("384");
    }

    @Test
    void recordsTheModelAndDimensionOnFirstStart() {
        JdbcClient jdbc = freshDatabaseWithEmbeddingConfig();

        new Embedder(model, PROPERTIES, jdbc, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

        assertThat(jdbc.sql("SELECT model || ':' || dimensions FROM embedding_config")
                        .query(String.class)
                        .list())
                .containsExactly("all-minilm-l6-v2-q:384");
    }

    @Test
    void startsOnDataStoredWithTheSameDimension() {
        JdbcClient jdbc = freshDatabaseWithEmbeddingConfig();
        jdbc.sql("INSERT INTO embedding_config (model, dimensions) VALUES ('all-minilm-l6-v2-q', 384)")
                .update();

        Embedder embedder =
                new Embedder(model, PROPERTIES, jdbc, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

        assertThat(embedder.embed("hello")).hasSize(384);
    }

    /** MiniLM → e5 (both 384): the new model becomes the one in use; Reembedding brings the stored vectors over. */
    @Test
    void startsOnDataOfAnotherModelOfTheSameDimensionAndRecordsTheNewModelAsInUse() {
        JdbcClient jdbc = freshDatabaseWithEmbeddingConfig();
        jdbc.sql("INSERT INTO embedding_config (model, dimensions) VALUES ('e5-small-v2-q', 384)")
                .update();

        new Embedder(model, PROPERTIES, jdbc, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

        assertThat(jdbc.sql("SELECT model || ':' || dimensions FROM embedding_config")
                        .query(String.class)
                        .list())
                .containsExactly("all-minilm-l6-v2-q:384");
    }

    @Test
    void refusesAConfiguredDimensionTheModelDoesNotMake() {
        JdbcClient jdbc = freshDatabaseWithEmbeddingConfig();
        MemoryProperties wrong = MemoryProperties.defaults(768, SEARCH);

        assertThatThrownBy(() -> new Embedder(
                        model, wrong, jdbc, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("768")
                .hasMessageContaining("384");
    }
}
