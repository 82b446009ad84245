package ai.agency.memory.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.agency.common.error.AgencyException;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The in-process provider runs the model itself (own ONNX Runtime session and scheduling); its vectors must stay
 * those of LangChain4j's {@code AllMiniLmL6V2QuantizedEmbeddingModel}, which made every vector stored so far.
 */
class LocalEmbeddingProviderTest {

    private static final double TOLERANCE = 1e-5;

    private static AllMiniLmL6V2QuantizedEmbeddingModel reference;
    private static LocalEmbeddingProvider provider;

    @BeforeAll
    static void load() {
        reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
        provider = new LocalEmbeddingProvider(2, 1);
    }

    @AfterAll
    static void close() {
        provider.close();
    }

    /** Short and long, several scripts, emoji, SQL metacharacters, odd spacing and punctuation. */
    private static List<String> texts() {
        List<String> texts = new ArrayList<>(List.of(
                "hi",
                "I love hiking in the mountains with my sister every weekend",
                "Caroline: I went to a LGBTQ support group yesterday and it was so powerful.",
                "Emoji 🎉🔥👩‍👩‍👧 and ünïcödé — 日本語のテキスト, Ελληνικά, עברית, العربية, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
                "Robert'); DROP TABLE memories;-- \\ % _ \"quoted\" $1 :param",
                "  leading and trailing spaces\n\tand a tab  ",
                "e-mail: a.b@c.de, 3.14%, (x+y)^2 = z; C++ & C# don't won't U.S.A.",
                "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
                "🙂"));
        Random random = new Random(4);
        String[] words = {
            "memory",
            "the",
            "pneumonoultramicroscopicsilicovolcanoconiosis",
            "Berlin",
            "électricité",
            "喫茶店",
            "🎻",
            "said",
            "antidisestablishmentarianism",
            "I",
            "collect",
            "vintage",
            "cameras",
            ",",
            "and",
            "ramen."
        };
        for (int length : new int[] {300, 520, 1_400, 3_000}) { // words: one part, just over 510 pieces, several
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            texts.add(text.toString());
        }
        return texts;
    }

    @Test
    void givesLangChain4jsVectorsForOneTextAtATime() {
        for (String text : texts()) {
            float[] expected = reference.embed(text).content().vector();

            assertClose(text, provider.embedAll(List.of(text)).getFirst(), expected);
        }
    }

    @Test
    void givesTheSameVectorsForManyTextsAndForConcurrentCalls() throws Exception {
        List<String> texts = texts();
        List<float[]> expected =
                texts.stream().map(t -> reference.embed(t).content().vector()).toList();

        try (var callers = Executors.newFixedThreadPool(4)) {
            List<Future<List<float[]>>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(callers.submit((Callable<List<float[]>>) () -> provider.embedAll(texts)));
            }
            for (Future<List<float[]>> answer : answers) {
                List<float[]> vectors = answer.get();
                assertThat(vectors).hasSize(texts.size());
                for (int i = 0; i < texts.size(); i++) {
                    assertClose(texts.get(i), vectors.get(i), expected.get(i));
                }
            }
        }
    }

    /** The model threads' lower priority (Linux): set on them, and it changes no vector. */
    @Test
    void modelThreadsRunAtTheConfiguredNicenessWithTheSameVectors() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "per-thread nice values are a Linux thing");
        String text = "I love hiking in the mountains with my sister every weekend";
        float[] expected = reference.embed(text).content().vector();
        try (LocalEmbeddingProvider lowered = new LocalEmbeddingProvider(1, 1, 7)) {
            assertClose(text, lowered.embedAll(List.of(text)).getFirst(), expected);
            assertClose(text, lowered.embedAll(List.of(text, "hi")).getFirst(), expected);

            Set<Integer> niceness = new HashSet<>();
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    if (Files.readString(task.resolve("comm")).startsWith("embedding")) {
                        String stat = Files.readString(task.resolve("stat"));
                        // fields after the ")" closing the name: state is field 3, nice field 19
                        niceness.add(Integer.parseInt(
                                stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]));
                    }
                }
            }
            assertThat(niceness).as("nice values of the embedding threads").contains(7);
        }
    }

    @Test
    void textWithoutAnyWordPieceIsRefusedAsBadInput() {
        assertThatThrownBy(() -> provider.embedAll(List.of("\u200b\u2060")))
                .isInstanceOf(AgencyException.class)
                .hasMessageContaining("nothing the embedding model can read");
        assertThatThrownBy(() -> provider.embedAll(List.of("fine", "\u200b"))).isInstanceOf(AgencyException.class);
    }

    private static void assertClose(String text, float[] actual, float[] expected) {
        assertThat(actual).as("dimension").hasSize(expected.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst)
                .as("largest difference to LangChain4j's vector of %s", text.substring(0, Math.min(40, text.length())))
                .isLessThanOrEqualTo(TOLERANCE);
    }
}
