package ai.agency.tool.http;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.tool.ToolProperties;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Outgoing HTTP for {@code http_get} and HTTP tools: every URL (and every redirect target) passes the
 * {@link AddressGuard}, redirects are followed by hand, the answer is cut off at {@code max-response-bytes} and the
 * whole exchange at the caller's deadline.
 */
@Component
public class SafeHttp {

    private final AddressGuard guard;
    private final ToolProperties properties;
    private final HttpClient client;

    public SafeHttp(AddressGuard guard, ToolProperties properties) {
        this.guard = guard;
        this.properties = properties;
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** An answer: status, content type (may be empty), the body, and the URL that gave it. */
    public record Answer(int status, String contentType, byte[] body, URI url) {}

    /**
     * Sends one request; with {@code followRedirects} a 301/302/303/307/308 is followed (GET for 301-303) after the
     * new target passed the guard.
     */
    public Answer send(
            String method,
            URI url,
            Map<String, String> headers,
            byte[] body,
            Duration timeout,
            boolean followRedirects,
            String field) {
        URI current = url;
        String currentMethod = method;
        byte[] currentBody = body;
        for (int hop = 0; ; hop++) {
            guard.check(current, field);
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(current).timeout(timeout).header("User-Agent", "agency-tool-service");
            headers.forEach(request::header);
            request.method(
                    currentMethod,
                    currentBody == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(currentBody));
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgencyException(ErrorType.NETWORK, "the call was interrupted");
            } catch (IOException e) {
                throw new AgencyException(
                        ErrorType.NETWORK,
                        ErrorType.NETWORK.status(),
                        "the call to " + current.getHost() + " failed: "
                                + e.getClass().getSimpleName(),
                        List.of(),
                        e);
            }
            int status = response.statusCode();
            String location = response.headers().firstValue("Location").orElse(null);
            if (followRedirects && isRedirect(status) && location != null) {
                close(response);
                if (hop >= properties.maxRedirects()) {
                    throw new AgencyException(
                            ErrorType.NETWORK, "too many redirects (more than " + properties.maxRedirects() + ")");
                }
                current = current.resolve(location.trim());
                if (status <= 303) {
                    currentMethod = "GET";
                    currentBody = null;
                }
                continue;
            }
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            return new Answer(status, contentType, readCapped(response), current);
        }
    }

    private byte[] readCapped(HttpResponse<InputStream> response) {
        int max = properties.maxResponseBytes();
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        try (InputStream in = response.body()) {
            if (declared > max) {
                throw tooLarge(max);
            }
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw tooLarge(max);
            }
            return bytes;
        } catch (IOException e) {
            throw new AgencyException(
                    ErrorType.NETWORK, ErrorType.NETWORK.status(), "reading the answer failed", List.of(), e);
        }
    }

    private static AgencyException tooLarge(int max) {
        return new AgencyException(ErrorType.NETWORK, "the answer is larger than " + max + " bytes");
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // nothing to do: the connection is dropped
        }
    }
}
