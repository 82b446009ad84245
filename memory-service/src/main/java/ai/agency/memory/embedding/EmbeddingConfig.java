package ai.agency.memory.embedding;

import ai.agency.memory.MemoryProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedding provider chosen by {@code agency.memory.embedding.provider}: {@code local} (default; the
 * in-process model named by {@code agency.memory.embedding-model}, all-MiniLM-L6-v2 or e5-small-v2, quantized, ONNX
 * inside LangChain4j's jars, no download; see {@link LocalEmbeddingProvider} and {@link LocalModel}), {@code openai} or {@code ollama}.
 */
@Configuration(proxyBeanMethods = false)
class EmbeddingConfig {

    @Bean
    EmbeddingProvider embeddingProvider(MemoryProperties properties) {
        return switch (properties.embedding().provider()) {
            case "openai" -> new OpenAiEmbeddingProvider(properties);
            case "ollama" -> new OllamaEmbeddingProvider(properties);
            default ->
                new LocalEmbeddingProvider(
                        LocalModel.named(properties.embeddingModel()),
                        properties.embedding().localThreads(),
                        properties.embedding().localIntraOpThreads(),
                        properties.embedding().localNiceness());
        };
    }
}
