import ai.agency.memory.embedding.LocalEmbeddingProvider;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How many texts per second memory-service's in-process model embeds with nothing else running — no HTTP, no
 * database — one text per call, as a single-memory add sends it (a benchmark, not a test). The texts have
 * the shape memory_latency.py adds ("I play the violin in Berlin with my sister every weekend (note 123456)").
 * Prints texts/s and the process's CPU per text for six rounds of 1,000 texts. Run from the repo root after
 * {@code ./mvnw -B -o -pl memory-service package -Dmaven.test.skip=true}:
 *
 * <pre>
 * ./mvnw -B -q -o -pl memory-service dependency:build-classpath -Dmdep.outputFile=/tmp/memory-cp.txt
 * java --enable-native-access=ALL-UNNAMED \
 *     -cp memory-service/target/classes:common-lib/target/classes:$(cat /tmp/memory-cp.txt) \
 *     load-tests/memory-latency/ModelThroughput.java [model threads, 0 = one per core] [callers]
 * </pre>
 */
public class ModelThroughput {
    static final String[] VERBS = {"play", "collect", "cook", "paint", "study", "teach", "repair", "photograph"};
    static final String[] OBJECTS = {"the violin", "vintage cameras", "spicy ramen", "watercolour landscapes", "chess"};
    static final String[] PLACES = {"Berlin", "Lisbon", "Osaka", "Toronto", "Nairobi"};
    static final String[] PEOPLE = {"my sister", "my brother", "my best friend", "my grandmother"};
    static final String[] WHEN = {"every weekend", "since 2019", "on Tuesdays", "twice a year"};

    static List<String> texts(int n, long seed) {
        Random r = new Random(seed);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            texts.add("I " + pick(r, VERBS) + " " + pick(r, OBJECTS) + " in " + pick(r, PLACES) + " with "
                    + pick(r, PEOPLE) + " " + pick(r, WHEN) + " (note " + r.nextInt(1_000_000) + ")");
        }
        return texts;
    }

    static String pick(Random r, String[] words) {
        return words[r.nextInt(words.length)];
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (var model = new LocalEmbeddingProvider(threads, 1, 0)) {
            for (int round = 1; round <= 6; round++) {
                List<String> texts = texts(1_000, round);
                long cpu = os.getProcessCpuTime();
                long start = System.nanoTime();
                try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
                    List<Future<?>> calls = new ArrayList<>();
                    for (String text : texts) {
                        calls.add(pool.submit(() -> model.embedAll(List.of(text))));
                    }
                    for (Future<?> call : calls) {
                        call.get();
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(
                        "round %d: %.0f texts/s, %.2f ms of process CPU per text (%d model threads, %d callers)%n",
                        round,
                        texts.size() / seconds,
                        (os.getProcessCpuTime() - cpu) / 1e6 / texts.size(),
                        model.threads(),
                        callers);
            }
        }
    }
}
