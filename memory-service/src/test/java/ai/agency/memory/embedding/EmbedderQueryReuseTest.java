package ai.agency.memory.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestDatabase;
import ai.agency.memory.MemoryProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A chat turn searches for the user's message, and the extraction after it stores (or finds) that same sentence: the
 * search's vector is reused, with the local model, whose vector of a text does not depend on how it was asked for.
 */
class EmbedderQueryReuseTest {

    private static final MemoryProperties.Search SEARCH = new MemoryProperties.Search(
            "rrf", 1.0, 1.0, 60, 50, 1.2, 0.75, 0, java.time.Duration.ofDays(30), 0, 20000, 0.0, 0.0, 0.0, 0.0);
    private static final MemoryProperties PROPERTIES = MemoryProperties.defaults(384, SEARCH);

    private static LocalEmbeddingProvider model;
    private static JdbcClient jdbc;

    /** The texts each call asked the model for. */
    private final List<List<String>> asked = new CopyOnWriteArrayList<>();

    private final EmbeddingProvider counting = new EmbeddingProvider() {
        @Override
        public String name() {
            return model.name();
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            asked.add(List.copyOf(texts));
            return model.embedAll(texts);
        }

        @Override
        public CompletableFuture<float[]> embedQueryAsync(String text) {
            asked.add(List.of(text));
            return model.embedQueryAsync(text);
        }

        @Override
        public int knownDimension() {
            return model.knownDimension();
        }
    };

    @BeforeAll
    static void loadModel() {
        model = new LocalEmbeddingProvider(1, 1);
        TestDatabase.Coordinates database = TestDatabase.create();
        jdbc = JdbcClient.create(new DriverManagerDataSource(database.url(), database.username(), database.password()));
        jdbc.sql("""
                        CREATE TABLE embedding_config (
                            id          boolean PRIMARY KEY DEFAULT true CHECK (id),
                            model       text        NOT NULL,
                            dimensions  int         NOT NULL,
                            created_at  timestamptz NOT NULL DEFAULT now())""").update();
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @Test
    void aTextSearchedForIsNotEmbeddedAgainWhenStored() {
        Embedder embedder = new Embedder(counting, PROPERTIES, jdbc, new SimpleMeterRegistry());
        float[] searched = Embedder.join(embedder.embedQueryAsync("I live in Berlin."));

        List<float[]> stored = embedder.embedAll(List.of("I like green tea.", "I live in Berlin.", "I own a cat."));

        assertThat(asked).containsExactly(List.of("I live in Berlin."), List.of("I like green tea.", "I own a cat."));
        assertThat(stored.get(1)).isSameAs(searched);
        assertThat(stored.get(0))
                .isEqualTo(model.embedAll(List.of("I like green tea.")).getFirst());
        assertThat(stored.get(2))
                .isEqualTo(model.embedAll(List.of("I own a cat.")).getFirst());
    }

    @Test
    void theReusedVectorIsTheOneTheModelMakesForAStoredText() {
        Embedder embedder = new Embedder(counting, PROPERTIES, jdbc, new SimpleMeterRegistry());
        float[] searched = Embedder.join(embedder.embedQueryAsync("My sister is called Ana."));

        float[] alone = model.embedAll(List.of("My sister is called Ana.")).getFirst();
        float[] inABatch = model.embedAll(new ArrayList<>(List.of("I like green tea.", "My sister is called Ana.")))
                .get(1);

        assertThat(searched).isEqualTo(alone).isEqualTo(inABatch);
    }

    /** e5 and other models trained with "query: " / "passage: " make another vector for a stored text. */
    @Test
    void aModelThatEmbedsQueriesDifferentlyEmbedsTheStoredTextAgain() {
        EmbeddingProvider asymmetric = new EmbeddingProvider() {
            @Override
            public String name() {
                return counting.name();
            }

            @Override
            public List<float[]> embedAll(List<String> texts) {
                return counting.embedAll(texts);
            }

            @Override
            public CompletableFuture<float[]> embedQueryAsync(String text) {
                return counting.embedQueryAsync(text);
            }

            @Override
            public boolean asymmetric() {
                return true;
            }
        };
        Embedder embedder = new Embedder(asymmetric, PROPERTIES, jdbc, new SimpleMeterRegistry());
        Embedder.join(embedder.embedQueryAsync("I live in Lisbon."));

        embedder.embedAll(List.of("I like green tea.", "I live in Lisbon."));

        assertThat(asked)
                .containsExactly(List.of("I live in Lisbon."), List.of("I like green tea.", "I live in Lisbon."));
    }

    @Test
    void textsNotSearchedForAreEmbeddedInOneCall() {
        Embedder embedder = new Embedder(counting, PROPERTIES, jdbc, new SimpleMeterRegistry());

        assertThat(embedder.embedAll(List.of("I play the cello.", "I run on Sundays.")))
                .hasSize(2);

        assertThat(asked).containsExactly(List.of("I play the cello.", "I run on Sundays."));
    }
}
