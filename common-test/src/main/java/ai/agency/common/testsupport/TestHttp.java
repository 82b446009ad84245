package ai.agency.common.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP client of the services' API tests: a JSON request to a running service (real HTTP, HTTP/1.1), the answer
 * as status, headers and body. Each service's test base ({@code AuthApiTest}, {@code MemoryApiTest}, …) adds its own
 * shortcuts (a token, its paths) on top of {@link #send}.
 */
public final class TestHttp {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestHttp() {}

    /** An HTTP answer. */
    public record Response(int status, HttpHeaders headers, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }
    }

    /**
     * Sends {@code method} to {@code uri} accepting JSON and problems, with the bearer {@code token} (if not null),
     * {@code rawJson} as an {@code application/json} body (if not null) and the extra {@code headers}.
     */
    public static Response send(URI uri, String method, String token, String rawJson, Map<String, String> headers) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).header("Accept", "application/json, application/problem+json");
        headers.forEach(request::header);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (rawJson != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(rawJson));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@link #send(URI, String, String, String, Map)} to {@code http://localhost:<port><path>}. */
    public static Response send(int port, String method, String path, String token, String rawJson) {
        return send(URI.create("http://localhost:" + port + path), method, token, rawJson, Map.of());
    }
}
