package ai.agency.memory.embedding;

import ai.agency.memory.MemoryProperties;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

/** Ollama's native embeddings endpoint ({@code POST <base-url>/api/embed}, many inputs per call). */
public class OllamaEmbeddingProvider implements EmbeddingProvider {

    static final String DEFAULT_BASE_URL = "http://localhost:11434";

    private final RestClient client;
    private final String model;
    private final int batchSize;

    public OllamaEmbeddingProvider(MemoryProperties properties) {
        this.client = RemoteEmbeddings.client(properties.embedding(), DEFAULT_BASE_URL);
        this.model = properties.embeddingModel();
        this.batchSize = properties.embedding().batchSize();
    }

    record Request(String model, List<String> input) {}

    record Answer(@Nullable List<List<Double>> embeddings) {}

    @Override
    public String name() {
        return "ollama";
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        return RemoteEmbeddings.inBatches(name(), texts, batchSize, batch -> {
            Answer answer = client.post()
                    .uri("/api/embed")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(new Request(model, batch))
                    .retrieve()
                    .body(Answer.class);
            if (answer == null || answer.embeddings() == null) {
                return null;
            }
            return answer.embeddings().stream().map(RemoteEmbeddings::toFloats).toList();
        });
    }
}
