package ai.agency.memory.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.onnx.e5smallv2q.E5SmallV2QuantizedEmbeddingModel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * e5-small-v2 (quantized), the stronger local model ({@code agency.memory.embedding-model=e5-small-v2-q}): the ONNX
 * file and tokenizer of LangChain4j's e5 jar, run by {@link LocalEmbeddingProvider} with the prefixes the model was
 * trained with — {@code "query: "} for a search, {@code "passage: "} for a stored memory.
 */
class E5EmbeddingTest {

    private static final double TOLERANCE = 1e-5;

    private static E5SmallV2QuantizedEmbeddingModel reference;
    private static LocalEmbeddingProvider e5;

    @BeforeAll
    static void load() {
        reference = new E5SmallV2QuantizedEmbeddingModel();
        e5 = new LocalEmbeddingProvider(LocalModel.named("e5-small-v2-q"), 2, 1, 0);
    }

    @AfterAll
    static void close() {
        e5.close();
    }

    @Test
    void storedTextsGetThePassagePrefixAndQueriesTheQueryPrefixAsInLangChain4jsModel() {
        for (String text : List.of(
                "Caroline: I went to a LGBTQ support group yesterday and it was so powerful.",
                "Emoji 🎉 and ünïcödé — 日本語のテキスト",
                "hi")) {
            assertClose(
                    e5.embedAll(List.of(text)).getFirst(),
                    reference.embed("passage: " + text).content().vector());
            assertClose(
                    Embedder.join(e5.embedQueryAsync(text)),
                    reference.embed("query: " + text).content().vector());
        }
        assertThat(e5.asymmetric()).isTrue();
        assertThat(e5.knownDimension()).isEqualTo(384);
    }

    @Test
    void aQuestionFindsTheFactThatAnswersIt() {
        List<float[]> stored = e5.embedAll(List.of(
                "I moved to Lisbon two years ago for my job.",
                "My favourite drink is green tea.",
                "I have a golden retriever called Max."));
        float[] question = Embedder.join(e5.embedQueryAsync("Which city do I live in?"));

        assertThat(dot(question, stored.get(0)))
                .isGreaterThan(dot(question, stored.get(1)))
                .isGreaterThan(dot(question, stored.get(2)));
    }

    /** A text over 510 word pieces is split into parts, each with its prefix, within the model's 512 positions. */
    @Test
    void aLongTextIsSplitSoThatEachPartAndItsPrefixFitTheModel() {
        String word = "memory ";
        float[] vector = e5.embedAll(List.of(word.repeat(1_200))).getFirst();

        assertThat(vector).hasSize(384);
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void anUnknownLocalModelStopsTheServiceNamingTheKnownOnes() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalModel.named("bge-large"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("all-minilm-l6-v2-q")
                .hasMessageContaining("e5-small-v2-q");
    }

    /** Cosine similarity of unit vectors. */
    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSize(expected.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("largest difference to LangChain4j's e5 vector").isLessThanOrEqualTo(TOLERANCE);
    }
}
