package ai.agency.memory.embedding;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.List;

/** The in-process model (all-MiniLM-L6-v2, quantized, ONNX inside its jar; no network). */
public class LocalEmbeddingProvider implements EmbeddingProvider {

    private final EmbeddingModel model;

    public LocalEmbeddingProvider(EmbeddingModel model) {
        this.model = model;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        if (texts.size() == 1) {
            return List.of(model.embed(texts.getFirst()).content().vector());
        }
        return model.embedAll(texts.stream().map(TextSegment::from).toList()).content().stream()
                .map(Embedding::vector)
                .toList();
    }

    @Override
    public int knownDimension() {
        return model.dimension();
    }
}
