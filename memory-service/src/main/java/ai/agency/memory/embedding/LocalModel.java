package ai.agency.memory.embedding;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The models the in-process provider can run: the ONNX file and tokenizer inside a LangChain4j embeddings jar, and the
 * prefixes the model was trained with. Chosen by {@code agency.memory.embedding-model} when the provider is
 * {@code local}. Both make 384-dimension vectors, so switching between them keeps the schema and re-embeds the stored
 * memories in the background ({@code Reembedding}).
 *
 * <ul>
 *   <li>{@code all-minilm-l6-v2-q} (default): 6 layers, the same vector for a query and a stored text. LoCoMo
 *       recall_any@5 / recall_all@10 through the service 0.722 / 0.665.
 *   <li>{@code e5-small-v2-q}: 12 layers, ~2.4× the CPU per stored text and ~1.5× per query; trained with
 *       {@code "query: "} and {@code "passage: "} prefixes. Better dense recall (dense alone on LoCoMo 0.640 / 0.594
 *       against MiniLM's 0.431 / 0.410); see docs/benchmarks/memory.md.
 * </ul>
 */
public enum LocalModel {
    ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", "", ""),
    E5_SMALL_V2_Q("e5-small-v2-q", "query: ", "passage: ");

    static final int DIMENSION = 384;

    private final String id;
    private final String queryPrefix;
    private final String passagePrefix;

    LocalModel(String id, String queryPrefix, String passagePrefix) {
        this.id = id;
        this.queryPrefix = queryPrefix;
        this.passagePrefix = passagePrefix;
    }

    /** The name in {@code agency.memory.embedding-model} and in the stored data. */
    public String id() {
        return id;
    }

    /** Put before a search query's text ("" for a symmetric model). */
    public String queryPrefix() {
        return queryPrefix;
    }

    /** Put before a stored memory's text ("" for a symmetric model). */
    public String passagePrefix() {
        return passagePrefix;
    }

    /** Whether a query and a stored text of the same words get different vectors. */
    public boolean asymmetric() {
        return !queryPrefix.equals(passagePrefix);
    }

    /** The classpath resource of the ONNX model. */
    String modelResource() {
        return "/" + id + ".onnx";
    }

    /** The classpath resource of the tokenizer. */
    String tokenizerResource() {
        return "/" + id + "-tokenizer.json";
    }

    /** The model of that name; an unknown name stops the service with the names it knows. */
    public static LocalModel named(String id) {
        return Arrays.stream(values())
                .filter(model -> model.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("agency.memory.embedding-model '" + id
                        + "' is not a local model; with agency.memory.embedding.provider=local choose one of "
                        + Arrays.stream(values()).map(LocalModel::id).collect(Collectors.joining(", "))));
    }
}
