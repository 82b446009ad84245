package ai.agency.memory.embedding;

import ai.agency.memory.MemoryProperties;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

/**
 * Any OpenAI-compatible embeddings endpoint ({@code POST <base-url>/embeddings}, e.g. OpenAI, Azure-style proxies,
 * vLLM, LiteLLM, LM Studio, Ollama's {@code /v1}).
 */
public class OpenAiEmbeddingProvider implements EmbeddingProvider {

    static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    private final RestClient client;
    private final String model;
    private final int batchSize;

    public OpenAiEmbeddingProvider(MemoryProperties properties) {
        this.client = RemoteEmbeddings.client(properties.embedding(), DEFAULT_BASE_URL);
        this.model = properties.embeddingModel();
        this.batchSize = properties.embedding().batchSize();
    }

    record Request(String model, List<String> input, String encoding_format) {}

    record Item(int index, List<Double> embedding) {}

    record Answer(@Nullable List<Item> data) {}

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        return RemoteEmbeddings.inBatches(name(), texts, batchSize, batch -> {
            Answer answer = client.post()
                    .uri("/embeddings")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(new Request(model, batch, "float"))
                    .retrieve()
                    .body(Answer.class);
            if (answer == null || answer.data() == null) {
                return null;
            }
            return answer.data().stream()
                    .sorted(Comparator.comparingInt(Item::index))
                    .map(item -> RemoteEmbeddings.toFloats(item.embedding()))
                    .toList();
        });
    }
}
