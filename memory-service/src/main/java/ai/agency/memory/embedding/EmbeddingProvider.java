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

    /** One vector per text, in order. Remote failures are thrown as 503 problems. */
    List<float[]> embedAll(List<String> texts);

    /**
     * One text's vector, computed on another thread (a search runs its text ranking meanwhile). Remote providers
     * call on a virtual thread; the local model runs on its own threads.
     */
    default CompletableFuture<float[]> embedAsync(String text) {
        return CompletableFuture.supplyAsync(
                () -> embedAll(List.of(text)).getFirst(),
                task -> Thread.ofVirtual().name("embed-" + name()).start(task));
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
