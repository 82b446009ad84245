package ai.agency.memory.embedding;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where vectors come from: the in-process model ({@link LocalEmbeddingProvider}) or a remote service speaking the
 * OpenAI ({@link OpenAiEmbeddingProvider}) or Ollama ({@link OllamaEmbeddingProvider}) wire format. Chosen by
 * {@code agency.memory.embedding.provider}.
 */
public interface EmbeddingProvider {

    /** {@code local}, {@code openai} or {@code ollama}. */
    String name();

    /** One vector per text to store, in order. Remote failures are thrown as 503 problems. */
    List<float[]> embedAll(List<String> texts);

    /**
     * A search query's vector, computed on another thread (a search runs its text ranking meanwhile). Remote
     * providers call on a virtual thread; the local model runs on its own threads.
     */
    default CompletableFuture<float[]> embedQueryAsync(String query) {
        return CompletableFuture.supplyAsync(
                () -> embedAll(List.of(query)).getFirst(),
                task -> Thread.ofVirtual().name("embed-" + name()).start(task));
    }

    /**
     * Whether a query gets another vector than a stored text of the same words (a model trained with query and
     * passage prefixes, such as e5). Then a searched query's vector is never reused for storing that text.
     */
    default boolean asymmetric() {
        return false;
    }

    /**
     * Refuses (400) a text that this provider would refuse to embed, without embedding it: for a search that needs
     * no vector after all, so that its bad input is still a problem. Remote providers check nothing here.
     */
    default void requireReadable(String text) {}

    /** The vector size when it is known without a call (the local model), else 0. */
    default int knownDimension() {
        return 0;
    }
}
