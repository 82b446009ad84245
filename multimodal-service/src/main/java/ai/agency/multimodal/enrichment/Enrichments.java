package ai.agency.multimodal.enrichment;

import ai.agency.multimodal.MultimodalProperties;
import ai.agency.multimodal.MultimodalProperties.Provider;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.FileSystemResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * The enrichments that need a model this service does not ship: an image caption (a vision-capable chat model), a
 * transcription (a Whisper-style {@code /v1/audio/transcriptions} endpoint) and an abstractive summary (a chat
 * model), each through an OpenAI-compatible API. Not configured, or failing, means absent: callers list the
 * enrichment as unavailable and never invent a value.
 */
@Component
public class Enrichments {

    private static final Logger log = LoggerFactory.getLogger(Enrichments.class);

    private final MultimodalProperties properties;

    public Enrichments(MultimodalProperties properties) {
        this.properties = properties;
    }

    public boolean visionConfigured() {
        return properties.vision().configured();
    }

    public boolean transcriptionConfigured() {
        return properties.transcription().configured();
    }

    public boolean summarizerConfigured() {
        return properties.summarizer().configured();
    }

    /** A one-sentence caption of an image, or empty when unavailable. */
    public Optional<String> caption(byte[] image, String mimeType) {
        if (!visionConfigured()) {
            return Optional.empty();
        }
        String dataUrl = "data:" + mimeType + ";base64," + Base64.getEncoder().encodeToString(image);
        List<Map<String, Object>> content = List.of(
                Map.of("type", "text", "text", "Describe this image in one short sentence."),
                Map.of("type", "image_url", "image_url", Map.of("url", dataUrl)));
        return chat(properties.vision(), List.of(Map.of("role", "user", "content", content)), "caption");
    }

    /** An abstractive summary of {@code text}, or empty when unavailable. */
    public Optional<String> summarize(String text) {
        if (!summarizerConfigured()) {
            return Optional.empty();
        }
        return chat(
                properties.summarizer(),
                List.of(
                        Map.of("role", "system", "content", "Summarise the user's text in at most two sentences."),
                        Map.of("role", "user", "content", text)),
                "abstractiveSummary");
    }

    /** The transcription of an audio file, or empty when unavailable. */
    public Optional<String> transcribe(Path audio) {
        Provider provider = properties.transcription();
        if (!provider.configured()) {
            return Optional.empty();
        }
        MultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
        form.add("file", new FileSystemResource(audio));
        form.add("model", provider.model().isBlank() ? "whisper-1" : provider.model());
        try {
            JsonNode answer = client(provider)
                    .post()
                    .uri("/v1/audio/transcriptions")
                    .contentType(MediaType.MULTIPART_FORM_DATA)
                    .body(form)
                    .retrieve()
                    .body(JsonNode.class);
            return Optional.ofNullable(answer).map(a -> a.path("text").asString(null));
        } catch (RuntimeException e) {
            log.warn("Transcription provider failed: {}", e.toString());
            return Optional.empty();
        }
    }

    private Optional<String> chat(Provider provider, List<Map<String, Object>> messages, String what) {
        try {
            JsonNode answer = client(provider)
                    .post()
                    .uri("/v1/chat/completions")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("model", provider.model(), "messages", messages))
                    .retrieve()
                    .body(JsonNode.class);
            return Optional.ofNullable(answer)
                    .map(a -> a.path("choices")
                            .path(0)
                            .path("message")
                            .path("content")
                            .asString(null))
                    .filter(s -> !s.isBlank())
                    .map(String::strip);
        } catch (RuntimeException e) {
            log.warn("{} provider failed: {}", what, e.toString());
            return Optional.empty();
        }
    }

    private static RestClient client(Provider provider) {
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory();
        factory.setReadTimeout(provider.timeout());
        RestClient.Builder builder = RestClient.builder()
                .baseUrl(provider.baseUrl().replaceAll("/+$", ""))
                .requestFactory(factory);
        if (!provider.apiKey().isBlank()) {
            builder.defaultHeader("Authorization", "Bearer " + provider.apiKey());
        }
        return builder.build();
    }
}
