package ai.agency.gateway.ws;

import ai.agency.common.client.ServiceClients;
import ai.agency.common.sse.SseReader;
import ai.agency.common.trace.TraceIds;
import ai.agency.gateway.GatewayProperties;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls orchestration-service and tool-service as the connected user (their access token is relayed). Chat streams
 * and workflow run event streams are read line by line as they arrive, so each SSE event is relayed at once.
 */
@Component
public class Downstream {

    /** One SSE event: its {@code event:} name and its {@code data:} parsed as JSON. */
    public record SseEvent(String event, @Nullable String id, JsonNode data) {}

    /** A JSON answer, its status and its {@code Retry-After} in seconds (null: none, or not in seconds). */
    public record Answer(
            int status, JsonNode body, @Nullable Long retryAfterSeconds) {
        public Answer(int status, JsonNode body) {
            this(status, body, null);
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** Receives each SSE event of a stream. */
    @FunctionalInterface
    public interface EventSink {
        void accept(SseEvent event);
    }

    /** Lets another thread abort a running stream. */
    public static final class Cancel {
        private final AtomicReference<InputStream> body = new AtomicReference<>();
        private volatile boolean cancelled;
        private @Nullable Thread waiting;

        /** While a call waits for its answer, cancelling interrupts it. */
        synchronized void bind(Thread thread) {
            waiting = thread;
            if (cancelled) {
                thread.interrupt();
            }
        }

        synchronized void unbind() {
            waiting = null;
            Thread.interrupted();
        }

        public void cancel() {
            synchronized (this) {
                cancelled = true;
                if (waiting != null) {
                    waiting.interrupt();
                }
            }
            InputStream in = body.get();
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing is all we want
                }
            }
        }

        public boolean cancelled() {
            return cancelled;
        }
    }

    private final HttpClient orchestrationHttp;
    private final HttpClient toolsHttp;
    private final JsonMapper json;
    private final URI orchestration;
    private final URI tools;
    private final Duration requestTimeout;

    /**
     * Where each service answers and how long a connection may take come from {@code agency.clients.orchestration}
     * and {@code agency.clients.tool}; each request's timeout is {@code agency.gateway.realtime.request-timeout}
     * (a chat stream's, its idle timeout). Nothing is retried: every call is on behalf of a frame the client sent, and
     * a chat message is not idempotent.
     */
    public Downstream(GatewayProperties properties, ServiceClients clients, JsonMapper json) {
        this.json = json;
        this.orchestration = URI.create(clients.settings("orchestration").baseUrl());
        this.tools = URI.create(clients.settings("tool").baseUrl());
        this.orchestrationHttp = clients.httpClient("orchestration");
        this.toolsHttp = clients.httpClient("tool");
        this.requestTimeout = properties.realtime().requestTimeout();
    }

    public Answer createConversation(String token, @Nullable String agentId, Cancel cancel)
            throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        if (agentId != null) {
            body.put("agentId", agentId);
        }
        return post(orchestrationHttp, orchestration, "/api/v1/conversations", token, body, cancel);
    }

    public Answer sendMessage(String token, String conversationId, String content, Cancel cancel)
            throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode().put("content", content).put("stream", false);
        return post(
                orchestrationHttp,
                orchestration,
                "/api/v1/conversations/" + conversationId + "/messages",
                token,
                body,
                cancel);
    }

    public Answer executeTool(String token, String toolName, @Nullable JsonNode parameters, Cancel cancel)
            throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        body.set("parameters", parameters == null ? json.createObjectNode() : parameters);
        return post(toolsHttp, tools, "/api/v1/tools/" + toolName + "/execute", token, body, cancel);
    }

    /** {@code GET /api/v1/conversations/{id}/messages}: one page, oldest first ({@code cursor} null: the first). */
    public Answer listMessages(String token, String conversationId, @Nullable String cursor, Cancel cancel)
            throws IOException, InterruptedException {
        String query =
                "?limit=100" + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        HttpRequest request = traced(
                        orchestration.resolve("/api/v1/conversations/" + conversationId + "/messages" + query))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .timeout(requestTimeout)
                .GET()
                .build();
        return call(orchestrationHttp, request, cancel);
    }

    /** {@code GET /api/v1/runs/{id}}: the run as its owner sees it (404 for anyone else). */
    public Answer getRun(String token, String runId, Cancel cancel) throws IOException, InterruptedException {
        HttpRequest request = traced(orchestration.resolve("/api/v1/runs/" + runId))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .timeout(requestTimeout)
                .GET()
                .build();
        return call(orchestrationHttp, request, cancel);
    }

    /**
     * Streams a chat answer: each SSE event goes to {@code sink} as soon as its blank line arrives. Returns the error
     * answer when orchestration refused the request (status not 2xx), or null after the stream ended.
     */
    public @Nullable Answer streamMessage(
            String token, String conversationId, String content, Duration idleTimeout, Cancel cancel, EventSink sink)
            throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode().put("content", content).put("stream", true);
        HttpRequest request = traced(orchestration.resolve("/api/v1/conversations/" + conversationId + "/messages"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .timeout(idleTimeout)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build();
        return readStream(orchestrationHttp, request, cancel, sink);
    }

    /**
     * Follows a workflow run's events ({@code GET /api/v1/runs/{id}/events}): each SSE event goes to {@code sink} as
     * soon as its blank line arrives. {@code lastEventId} (null: from the first event) is sent as {@code
     * Last-Event-ID}, so orchestration replays only the events after it. Returns the error answer when orchestration
     * refused (another user's or an unknown run: 404), or null after the stream ended or was cancelled.
     */
    public @Nullable Answer streamRunEvents(
            String token, String runId, @Nullable Long lastEventId, Cancel cancel, EventSink sink)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = traced(orchestration.resolve("/api/v1/runs/" + runId + "/events"))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .timeout(requestTimeout) // until the answer's headers; a run may then stay quiet for long
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", Long.toString(lastEventId));
        }
        return readStream(orchestrationHttp, request.build(), cancel, sink);
    }

    private @Nullable Answer readStream(HttpClient http, HttpRequest request, Cancel cancel, EventSink sink)
            throws IOException, InterruptedException {
        HttpResponse<InputStream> response;
        cancel.bind(Thread.currentThread());
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } finally {
            cancel.unbind();
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() < 200 || response.statusCode() >= 300) {
                return new Answer(
                        response.statusCode(),
                        parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)),
                        retryAfter(response));
            }
            cancel.body.set(in);
            if (cancel.cancelled()) {
                return null;
            }
            SseReader reader = new SseReader(in);
            SseReader.Event event;
            while ((event = reader.next()) != null && !cancel.cancelled()) {
                sink.accept(new SseEvent(event.name(), event.id(), parse(event.data())));
            }
            return null;
        } catch (IOException e) {
            if (cancel.cancelled()) {
                return null;
            }
            throw e;
        }
    }

    private Answer post(HttpClient http, URI base, String path, String token, JsonNode body, Cancel cancel)
            throws IOException, InterruptedException {
        HttpRequest request = traced(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .timeout(requestTimeout)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build();
        return call(http, request, cancel);
    }

    /**
     * A request carrying the trace of the frame being served (its span's traceparent and the trace id as
     * X-Request-Id), so orchestration's and tool-service's spans hang below the gateway's frame span.
     */
    private static HttpRequest.Builder traced(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        String traceparent = TraceIds.traceparentOfCurrentSpan();
        String traceId = TraceIds.ofCurrentSpan();
        if (traceparent != null && traceId != null) {
            builder.header(TraceIds.TRACEPARENT_HEADER, traceparent).header(TraceIds.REQUEST_ID_HEADER, traceId);
        }
        return builder;
    }

    private Answer call(HttpClient http, HttpRequest request, Cancel cancel) throws IOException, InterruptedException {
        HttpResponse<String> response;
        cancel.bind(Thread.currentThread());
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } finally {
            cancel.unbind();
        }
        return new Answer(response.statusCode(), parse(response.body()), retryAfter(response));
    }

    /** {@code Retry-After} as delta-seconds; an HTTP date (which our services never send) is ignored. */
    private static @Nullable Long retryAfter(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .filter(v -> v.strip().matches("\\d{1,6}"))
                .map(v -> Long.parseLong(v.strip()))
                .orElse(null);
    }

    private JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(text);
        } catch (JacksonException e) {
            return json.createObjectNode().put("text", text);
        }
    }
}
