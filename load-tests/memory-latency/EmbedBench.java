import ai.agency.memory.embedding.LocalEmbeddingProvider;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.*;
import java.util.concurrent.*;
import java.util.function.Function;

/**
 * In-process embedding throughput (a benchmark, not a test): LangChain4j's AllMiniLmL6V2QuantizedEmbeddingModel
 * (how memory-service embedded before) against memory-service's LocalEmbeddingProvider, 8 concurrent callers sending
 * 1 or 50 texts per call, alternating in the same JVM so both see the same machine load. Run from the repo root
 * after {@code ./mvnw -B -o -pl memory-service package -Dmaven.test.skip=true}:
 *
 * <pre>
 * ./mvnw -B -q -o -pl memory-service dependency:build-classpath -Dmdep.outputFile=/tmp/memory-cp.txt
 * java --enable-native-access=ALL-UNNAMED \
 *     -cp memory-service/target/classes:common-lib/target/classes:$(cat /tmp/memory-cp.txt) \
 *     load-tests/memory-latency/EmbedBench.java
 * </pre>
 */
public class EmbedBench {
  static List<String> texts(int n, long seed) {
    Random r = new Random(seed);
    String[] w = "I love hiking in the mountains with my sister every weekend and we collect vintage cameras in Berlin since 2019 note play cook paint watercolour landscapes".split(" ");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) { StringBuilder b = new StringBuilder(); int k = 12 + r.nextInt(10); for (int j = 0; j < k; j++) b.append(w[r.nextInt(w.length)]).append(' '); b.append(r.nextInt(1000000)); out.add(b.toString()); }
    return out;
  }
  static double run(int callers, int perCall, List<String> texts, Function<List<String>, List<float[]>> embed) throws Exception {
    List<List<String>> calls = new ArrayList<>();
    for (int i = 0; i + perCall <= texts.size(); i += perCall) calls.add(texts.subList(i, i + perCall));
    long t0 = System.nanoTime();
    try (var pool = Executors.newFixedThreadPool(callers)) {
      List<Future<?>> fs = new ArrayList<>();
      for (var c : calls) fs.add(pool.submit(() -> embed.apply(c)));
      for (var f : fs) f.get();
    }
    return texts.size() / ((System.nanoTime() - t0) / 1e9);
  }
  public static void main(String[] a) throws Exception {
    var lc = new AllMiniLmL6V2QuantizedEmbeddingModel();
    var mine = new LocalEmbeddingProvider(0, 1);
    Function<List<String>, List<float[]>> lcEmbed = t -> t.size() == 1 ? List.of(lc.embed(t.get(0)).content().vector())
        : lc.embedAll(t.stream().map(TextSegment::from).toList()).content().stream().map(e -> e.vector()).toList();
    Function<List<String>, List<float[]>> myEmbed = mine::embedAll;
    run(8, 1, texts(200, 0), lcEmbed); run(8, 1, texts(200, 0), myEmbed); // warm-up
    long seed = 1;
    for (int round = 1; round <= 3; round++) {
      for (int perCall : new int[] {1, 50}) {
        double l = run(8, perCall, texts(400, seed++), lcEmbed);
        double m = run(8, perCall, texts(400, seed++), myEmbed);
        System.out.printf("round %d, %2d texts per call, 8 callers: LangChain4j %.0f texts/s, LocalEmbeddingProvider %.0f texts/s%n", round, perCall, l, m);
      }
    }
    mine.close();
  }
}
