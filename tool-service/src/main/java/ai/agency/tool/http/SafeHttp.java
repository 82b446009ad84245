package ai.agency.tool.http;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.tool.ToolProperties;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * Outgoing HTTP for {@code http_get} and HTTP tools: every URL (and every redirect target) passes the
 * {@link AddressGuard}, and the connection goes to the addresses it checked ({@link PinnedResolver}), redirects are
 * followed by hand, the answer is cut off at {@code max-response-bytes} and the whole exchange at the caller's
 * deadline. Reactor Netty, because its resolver is pluggable (the JDK client always asks DNS again).
 */
@Component
public class SafeHttp {

    private final AddressGuard guard;
    private final ToolProperties properties;
    private final HttpClient client;

    public SafeHttp(AddressGuard guard, ToolProperties properties) {
        this.guard = guard;
        this.properties = properties;
        this.client = HttpClient.create(ConnectionProvider.newConnection()) // a connection per request: no reuse
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .followRedirect(false);
    }

    /** An answer: status, content type (may be empty), the body, and the URL that gave it. */
    public record Answer(int status, String contentType, byte[] body, URI url) {}

    /** What one hop answered: a redirect's target, or the final answer. */
    private record Hop(
            int status, @Nullable String location, @Nullable Answer answer) {}

    /**
     * Sends one request; with {@code followRedirects} a 301/302/303/307/308 is followed (GET for 301-303) after the
     * new target passed the guard.
     */
    public Answer send(
            String method,
            URI url,
            Map<String, String> headers,
            byte @Nullable [] body,
            Duration timeout,
            boolean followRedirects,
            String field) {
        URI current = url;
        String currentMethod = method;
        byte @Nullable [] currentBody = body;
        for (int hop = 0; ; hop++) {
            List<InetAddress> addresses = guard.resolve(current, field);
            Hop answer = Objects.requireNonNull(
                    exchange(current, addresses, currentMethod, headers, currentBody, timeout, followRedirects),
                    "no answer");
            if (answer.answer() != null) {
                return answer.answer();
            }
            if (hop >= properties.maxRedirects()) {
                throw new AgencyException(
                        ErrorType.NETWORK, "too many redirects (more than " + properties.maxRedirects() + ")");
            }
            current = current.resolve(Objects.requireNonNull(answer.location()).trim()); // a redirect has one
            if (answer.status() <= 303) {
                currentMethod = "GET";
                currentBody = null;
            }
        }
    }

    private @Nullable Hop exchange(
            URI url,
            List<InetAddress> addresses,
            String method,
            Map<String, String> headers,
            byte @Nullable [] body,
            Duration timeout,
            boolean followRedirects) {
        PinnedResolver resolver = new PinnedResolver(url, addresses);
        try {
            return client.resolver(resolver)
                    .responseTimeout(timeout)
                    .headers(h -> {
                        h.set("User-Agent", "agency-tool-service");
                        headers.forEach(h::set);
                    })
                    .request(HttpMethod.valueOf(method))
                    .uri(url)
                    .send(body == null ? Mono.empty() : Mono.just(Unpooled.wrappedBuffer(body)))
                    .response((response, content) -> {
                        String location = response.responseHeaders().get("Location");
                        int status = response.status().code();
                        if (followRedirects && isRedirect(status) && location != null) {
                            return Mono.just(new Hop(status, location, null));
                        }
                        return capped(response, content.asByteArray())
                                .map(bytes ->
                                        new Hop(status, null, new Answer(status, contentType(response), bytes, url)));
                    })
                    .next()
                    .block(timeout);
        } catch (RuntimeException e) {
            throw failed(url, Exceptions.unwrap(e));
        } finally {
            resolver.close();
        }
    }

    private Mono<byte[]> capped(HttpClientResponse response, Flux<byte[]> content) {
        int max = properties.maxResponseBytes();
        String declared = response.responseHeaders().get("Content-Length");
        if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > max) {
            return Mono.error(tooLarge(max));
        }
        return content.collect(ByteArrayOutputStream::new, (out, chunk) -> {
                    if (out.size() + chunk.length > max) {
                        throw tooLarge(max);
                    }
                    out.writeBytes(chunk);
                })
                .map(ByteArrayOutputStream::toByteArray);
    }

    private static String contentType(HttpClientResponse response) {
        String type = response.responseHeaders().get("Content-Type");
        return type == null ? "" : type;
    }

    private static AgencyException failed(URI url, Throwable cause) {
        if (cause instanceof AgencyException agency) {
            return agency;
        }
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new AgencyException(ErrorType.NETWORK, "the call was interrupted");
        }
        boolean timedOut = cause instanceof java.util.concurrent.TimeoutException
                || cause instanceof io.netty.handler.timeout.ReadTimeoutException
                || (cause instanceof IllegalStateException
                        && String.valueOf(cause.getMessage()).startsWith("Timeout on blocking read"));
        return new AgencyException(
                ErrorType.NETWORK,
                ErrorType.NETWORK.status(),
                "the call to " + url.getHost()
                        + (timedOut
                                ? " timed out"
                                : " failed: " + cause.getClass().getSimpleName()),
                List.of(),
                cause);
    }

    private static AgencyException tooLarge(int max) {
        return new AgencyException(ErrorType.NETWORK, "the answer is larger than " + max + " bytes");
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
