package ai.agency.auth.rights;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Calls a service's {@code /internal/account-data} endpoints with a job token; any answer but 200 is an IOException. */
@Component
class AccountDataCalls {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final Duration timeout;

    AccountDataCalls(AccountDataSettings settings) {
        this.timeout = settings.requestTimeout();
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    List<String> kinds(URI base, String token) throws IOException {
        JsonNode answer = JSON.readTree(send(request(base, "/kinds", token).GET()));
        List<String> kinds = new ArrayList<>();
        answer.path("kinds").forEach(k -> kinds.add(k.asString()));
        return kinds;
    }

    /** Copies the NDJSON of one kind into {@code out}; the number of lines. */
    long export(URI base, String kind, String token, OutputStream out) throws IOException {
        HttpResponse<InputStream> response =
                exchange(request(base, "/export/" + kind, token).GET());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException(base + " answered HTTP " + response.statusCode() + " for kind " + kind + ": "
                        + new String(body.readNBytes(300), StandardCharsets.UTF_8));
            }
            long lines = 0;
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
            return lines;
        }
    }

    /** Erases the user's data at the service; rows per kind as the service reports them. */
    Map<String, Long> erase(URI base, String token) throws IOException {
        JsonNode answer = JSON.readTree(send(request(base, "", token).DELETE()));
        Map<String, Long> erased = new LinkedHashMap<>();
        answer.path("erased")
                .properties()
                .forEach(e -> erased.put(e.getKey(), e.getValue().asLong()));
        return erased;
    }

    private HttpRequest.Builder request(URI base, String path, String token) {
        return HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/+$", "") + AccountData.PATH + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, application/x-ndjson, application/problem+json");
    }

    private byte[] send(HttpRequest.Builder request) throws IOException {
        HttpResponse<InputStream> response = exchange(request);
        try (InputStream body = response.body()) {
            byte[] bytes = body.readAllBytes();
            if (response.statusCode() != 200) {
                throw new IOException(response.uri() + " answered HTTP " + response.statusCode() + ": "
                        + new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8));
            }
            return bytes;
        }
    }

    private HttpResponse<InputStream> exchange(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
