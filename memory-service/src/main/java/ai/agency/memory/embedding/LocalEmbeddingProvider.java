package ai.agency.memory.embedding;

import ai.agency.common.error.AgencyException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-process model ({@link LocalModel}): all-MiniLM-L6-v2 or e5-small-v2, quantized — the ONNX file and tokenizer
 * that ship inside LangChain4j's {@code langchain4j-embeddings-<model>} jars (no network) — run on ONNX Runtime by
 * this class. A model trained with prefixes (e5: {@code "query: "}, {@code "passage: "}) gets them here: stored texts
 * through {@link #embedAll}, search queries through {@link #embedQueryAsync}.
 *
 * <p>The MiniLM vectors are those of LangChain4j's {@code AllMiniLmL6V2QuantizedEmbeddingModel} (same tokenizer calls,
 * texts over 510 word pieces split into parts at word boundaries, mean pooling over every token of a part, parts
 * averaged by their length, L2 normalisation; {@code LocalEmbeddingProviderTest} compares them). What differs is how
 * the work is scheduled on the CPU:
 *
 * <ul>
 *   <li>At most {@code threads} texts are in the model at once (a fair semaphore; default: one per core), each on
 *       {@code intraOpThreads} ONNX Runtime threads (default 1, without spin-waiting). LangChain4j leaves ONNX
 *       Runtime at its default — a spinning thread pool as wide as the machine for every call — so eight
 *       concurrent requests ran sixteen busy threads on two cores.
 *   <li>The texts of one multi-text call are spread over {@code threads} worker threads.
 *   <li>The model threads run at a lower CPU priority ({@code niceness}, see {@link ThreadNiceness}), so that request
 *       threads and PostgreSQL backends get the cores first when they wake.
 *   <li>A single text (a search query, a one-memory add) runs on one of the provider's own platform threads too,
 *       never on the caller's. The callers are virtual threads: a native ONNX call would pin the carrier it runs
 *       on for its whole duration, and with one carrier per core two concurrent embeddings stopped every other
 *       request in the JVM (HTTP, JDBC) until one finished. The caller now waits unmounted.
 * </ul>
 *
 * <p>Texts are not padded into one batch: the model quantizes its activations with one scale per tensor
 * ({@code DynamicQuantizeLinear}), so a text's vector would depend on the other texts and the padding of its batch
 * (cosine 0.98–0.995 to its vector alone, measured) — stored vectors must not depend on what else was in flight.
 */
public class LocalEmbeddingProvider implements EmbeddingProvider, AutoCloseable {

    static final int DIMENSION = LocalModel.DIMENSION;

    /** 512 positions minus [CLS] and [SEP], as LangChain4j splits long texts. */
    private static final int MAX_POSITIONS = 510;

    private final LocalModel model;
    /** Word pieces per part: {@link #MAX_POSITIONS} minus the longer prefix's pieces. */
    private final int maxPartTokens;

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean usesTokenTypes;
    private final HuggingFaceTokenizer tokenizer;
    private final Semaphore slots;
    private final ExecutorService workers;
    private final ExecutorService singles;
    private final int threads;

    /** MiniLM, with the model threads at normal priority. */
    public LocalEmbeddingProvider(int threads, int intraOpThreads) {
        this(LocalModel.ALL_MINILM_L6_V2_Q, threads, intraOpThreads, 0);
    }

    /** MiniLM. */
    public LocalEmbeddingProvider(int threads, int intraOpThreads, int niceness) {
        this(LocalModel.ALL_MINILM_L6_V2_Q, threads, intraOpThreads, niceness);
    }

    /**
     * @param model which model
     * @param threads most texts embedded at once (0 = one per available processor)
     * @param intraOpThreads ONNX Runtime threads working on one text
     * @param niceness the model threads' Linux nice value (0 = normal priority; see {@link ThreadNiceness})
     */
    public LocalEmbeddingProvider(LocalModel model, int threads, int intraOpThreads, int niceness) {
        this.model = model;
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        try {
            this.environment = OrtEnvironment.getEnvironment();
            var options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            this.session = environment.createSession(resource(model.modelResource()), options);
            this.usesTokenTypes = session.getInputNames().contains("token_type_ids");
            try (InputStream json = new java.io.ByteArrayInputStream(resource(model.tokenizerResource()))) {
                this.tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false"));
            }
        } catch (OrtException | IOException e) {
            throw new IllegalStateException("Cannot load the embedding model " + model.id(), e);
        }
        int prefixTokens = Math.max(
                tokenizer.tokenize(model.queryPrefix()).size(),
                tokenizer.tokenize(model.passagePrefix()).size());
        this.maxPartTokens = MAX_POSITIONS - (prefixTokens - 2); // tokenize() counts [CLS] and [SEP]
        this.slots = new Semaphore(this.threads, true);
        this.workers = Executors.newFixedThreadPool(this.threads, modelThreads("embedding-", niceness));
        // waiting single texts queue on the fair semaphore (next to at most `threads` texts of multi-text calls)
        this.singles = Executors.newFixedThreadPool(4 * this.threads, modelThreads("embedding-single-", niceness));
    }

    /** Daemon threads named {@code prefix + n} that lower their own priority first. */
    private static ThreadFactory modelThreads(String prefix, int niceness) {
        AtomicInteger count = new AtomicInteger();
        return work -> {
            Thread thread = new Thread(
                    () -> {
                        ThreadNiceness.apply(niceness);
                        work.run();
                    },
                    prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public int knownDimension() {
        return DIMENSION;
    }

    @Override
    public boolean asymmetric() {
        return model.asymmetric();
    }

    /** Which model this is. */
    public LocalModel model() {
        return model;
    }

    /** How many texts the model embeds at once. */
    public int threads() {
        return threads;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        ExecutorService pool = texts.size() == 1 ? singles : workers;
        List<CompletableFuture<float[]>> vectors = texts.stream()
                .map(text -> CompletableFuture.supplyAsync(() -> embed(text, model.passagePrefix()), pool))
                .toList();
        try {
            return vectors.stream().map(Embedder::join).toList();
        } catch (RuntimeException | Error e) {
            vectors.forEach(v -> v.cancel(false));
            throw e;
        }
    }

    @Override
    public CompletableFuture<float[]> embedQueryAsync(String query) {
        return CompletableFuture.supplyAsync(() -> embed(query, model.queryPrefix()), singles);
    }

    @Override
    public void requireReadable(String text) {
        parts(text);
    }

    /** The text's parts of at most 510 word pieces (fewer by a prefix's); none is a bad request. */
    private List<List<String>> parts(String text) {
        List<List<String>> parts = partition(tokenizer.tokenize(text), maxPartTokens);
        if (parts.isEmpty()) {
            throw AgencyException.invalid(
                    "The text has nothing the embedding model can read (only spaces, control or format characters)");
        }
        return parts;
    }

    /**
     * One text's vector: its parts of at most 510 word pieces, each with the prefix put before it, mean-pooled,
     * averaged by length, normalised.
     */
    float[] embed(String text, String prefix) {
        List<List<String>> parts = parts(text);
        List<float[]> pooled = new ArrayList<>(parts.size());
        for (List<String> part : parts) {
            pooled.add(meanPool(tokenizer.encode(prefix + toText(part), true, false)));
        }
        return normalize(weightedAverage(pooled, parts));
    }

    /**
     * Splits the word pieces between [CLS] and [SEP] into parts of at most 510, never inside a word (a part ends
     * before a {@code ##} continuation piece).
     */
    private static List<List<String>> partition(List<String> tokens, int maxPartTokens) {
        List<List<String>> parts = new ArrayList<>();
        int from = 1;
        while (from < tokens.size() - 1) {
            int to = from + maxPartTokens;
            if (to >= tokens.size() - 1) {
                to = tokens.size() - 1;
            } else {
                while (tokens.get(to).startsWith("##")) {
                    to--;
                }
            }
            parts.add(tokens.subList(from, to));
            from = to;
        }
        return parts;
    }

    /** A part's text: the sentence its pieces spell when that tokenizes back to them, else the pieces joined. */
    private String toText(List<String> tokens) {
        String text = tokenizer.buildSentence(tokens);
        List<String> again = new LinkedList<>(tokenizer.tokenize(text));
        again.removeFirst();
        again.removeLast();
        return again.equals(tokens) ? text : String.join("", tokens);
    }

    /** Runs the model on one encoded part and averages its output over every position ([CLS] and [SEP] too). */
    private float[] meanPool(Encoding encoding) {
        long[] ids = encoding.getIds();
        long[] shape = {1, ids.length};
        slots.acquireUninterruptibly();
        try (OnnxTensor inputIds = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
                OnnxTensor mask =
                        OnnxTensor.createTensor(environment, LongBuffer.wrap(encoding.getAttentionMask()), shape);
                OnnxTensor types =
                        OnnxTensor.createTensor(environment, LongBuffer.wrap(encoding.getTypeIds()), shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", inputIds);
            inputs.put("attention_mask", mask);
            if (usesTokenTypes) {
                inputs.put("token_type_ids", types);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                int positions = ids.length;
                int width = hidden.remaining() / positions;
                float[] mean = new float[width];
                for (int p = 0; p < positions; p++) {
                    for (int j = 0; j < width; j++) {
                        mean[j] += hidden.get(p * width + j);
                    }
                }
                for (int j = 0; j < width; j++) {
                    mean[j] /= positions;
                }
                return mean;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("The embedding model failed: " + e.getMessage(), e);
        } finally {
            slots.release();
        }
    }

    private static float[] weightedAverage(List<float[]> vectors, List<List<String>> parts) {
        if (vectors.size() == 1) {
            return vectors.getFirst();
        }
        float[] average = new float[vectors.getFirst().length];
        int totalWeight = 0;
        for (int i = 0; i < vectors.size(); i++) {
            int weight = parts.get(i).size();
            totalWeight += weight;
            for (int j = 0; j < average.length; j++) {
                average[j] += vectors.get(i)[j] * weight;
            }
        }
        for (int j = 0; j < average.length; j++) {
            average[j] /= totalWeight;
        }
        return average;
    }

    private static float[] normalize(float[] vector) {
        float sumOfSquares = 0;
        for (float v : vector) {
            sumOfSquares += v * v;
        }
        float norm = (float) Math.sqrt(sumOfSquares);
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = vector[i] / norm;
        }
        return unit;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = LocalEmbeddingProvider.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException(name + " is not on the classpath"));
            }
            return in.readAllBytes();
        }
    }

    /**
     * Lets texts already in the model finish (up to 10 s) before the native session is freed; a session still busy
     * after that is left to the process exit rather than freed under a running inference.
     */
    @Override
    public void close() {
        workers.shutdown();
        singles.shutdown();
        boolean idle;
        try {
            idle = slots.tryAcquire(threads, 10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        try {
            if (idle) {
                session.close();
            }
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            workers.shutdownNow();
            singles.shutdownNow();
        }
    }
}
