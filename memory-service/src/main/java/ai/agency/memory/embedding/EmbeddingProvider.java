package ai.agency.memory.embedding;

import java.util.List;

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

    /** The vector size when it is known without a call (the local model), else 0. */
    default int knownDimension() {
        return 0;
    }
}
