package ai.agency.memory.embedding;

import ai.agency.common.error.AgencyException;
import ai.agency.memory.MemoryProperties;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/** What the remote providers share: an HTTP client with the configured timeout, batching, error mapping. */
final class RemoteEmbeddings {

    private RemoteEmbeddings() {}

    static RestClient client(MemoryProperties.Embedding settings, String defaultBaseUrl) {
        String baseUrl = settings.baseUrl().isBlank() ? defaultBaseUrl : settings.baseUrl();
        var http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        var factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(settings.timeout());
        RestClient.Builder builder =
                RestClient.builder().baseUrl(baseUrl.replaceAll("/+$", "")).requestFactory(factory);
        if (!settings.apiKey().isBlank()) {
            builder.defaultHeader("Authorization", "Bearer " + settings.apiKey());
        }
        return builder.build();
    }

    /** Calls {@code call} on batches of at most {@code batchSize} texts and checks each answer's length. */
    static List<float[]> inBatches(
            String provider, List<String> texts, int batchSize, Function<List<String>, @Nullable List<float[]>> call) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + batchSize));
            @Nullable List<float[]> answer;
            try {
                answer = call.apply(batch);
            } catch (RestClientException e) {
                throw AgencyException.unavailable(
                        "The embedding provider '" + provider + "' failed: " + e.getMessage(), e);
            }
            if (answer == null || answer.size() != batch.size()) {
                throw AgencyException.unavailable(
                        "The embedding provider '" + provider + "' answered "
                                + (answer == null ? "nothing" : answer.size() + " vectors") + " for " + batch.size()
                                + " texts",
                        null);
            }
            vectors.addAll(answer);
        }
        return vectors;
    }

    static float[] toFloats(List<? extends Number> values) {
        float[] vector = new float[values.size()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = values.get(i).floatValue();
        }
        return vector;
    }
}
