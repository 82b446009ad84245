package ai.agency.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * One WebSocket connection to the gateway's {@code /ws} (bearer token in the handshake), keeping every frame it
 * received in order. Methods wait for frames; the JDK's WebSocket delivers them on its own threads.
 */
final class ChatSocket implements WebSocket.Listener {

    private static final AtomicInteger IDS = new AtomicInteger();

    private final List<JsonNode> frames = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket ws;
    private volatile Integer closeCode;
    private volatile String connectionId;
    /** Between a {@code resume} sent and its {@code resumed}: frames then are replayed ones, with the old seq. */
    private volatile boolean replaying;
    /** The highest seq of this connection's own frames (replayed ones carry the old connection's seq). */
    private volatile long lastOwnSeq;

    /** Opens the socket and waits for its {@code ready} frame. */
    static ChatSocket open(HttpClient http, int port, String token) {
        ChatSocket socket = new ChatSocket();
        socket.ws = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://localhost:" + port + "/ws"), socket)
                .orTimeout(20, TimeUnit.SECONDS)
                .join();
        JsonNode ready = socket.await(f -> f.path("type").asString().equals("ready"), Duration.ofSeconds(20));
        if (ready == null) {
            throw new IllegalStateException("no ready frame");
        }
        socket.connectionId = ready.path("connectionId").asString();
        return socket;
    }

    String connectionId() {
        return connectionId;
    }

    /** What a resume of this connection passes as {@code afterSeq}: the last seq of its own frames received. */
    long lastOwnSeq() {
        return lastOwnSeq;
    }

    /** Sends {@code resume} of another connection: the frames until {@code resumed} are that one's, replayed. */
    void resume(String oldConnectionId, long afterSeq) {
        replaying = true;
        send(java.util.Map.of("type", "resume", "id", "resume", "connectionId", oldConnectionId, "afterSeq", afterSeq));
    }

    /** Sends a streaming chat turn; returns its request id. */
    String chat(String content, String conversationId) {
        String id = "c" + IDS.incrementAndGet();
        Map<String, Object> frame = conversationId == null
                ? Map.of("type", "chat", "id", id, "content", content, "stream", true)
                : Map.of(
                        "type", "chat", "id", id, "content", content, "stream", true, "conversationId", conversationId);
        send(frame);
        return id;
    }

    /** A turn as a client that honours {@code retryAfter} sends it: the request id that was answered, its end. */
    record Admitted(String requestId, JsonNode end, int shed) {}

    /**
     * Sends a streaming chat turn and, while it is shed ({@code error rate_limit}), sends it again after the frame's
     * {@code retryAfter} (1 s without one) plus a little jitter, as a well-behaved client does, until {@code timeout}.
     * {@code sent} gets every request id sent.
     */
    Admitted chatUntilAdmitted(
            String content, String conversationId, Duration timeout, java.util.function.Consumer<String> sent) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int shed = 0;
        while (true) {
            String id = chat(content, conversationId);
            sent.accept(id);
            JsonNode end = awaitEnd(id, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            boolean isShed = end != null
                    && end.path("type").asString().equals("error")
                    && end.path("errorType").asString().equals("rate_limit");
            if (!isShed) {
                return new Admitted(id, end, shed);
            }
            shed++;
            long waitMillis = 1000 * Math.max(1, end.path("retryAfter").asLong(1))
                    + java.util.concurrent.ThreadLocalRandom.current().nextLong(500);
            if (isClosed() || System.nanoTime() + waitMillis * 1_000_000 >= deadline) {
                return new Admitted(id, end, shed);
            }
            Api.sleep(Duration.ofMillis(waitMillis));
        }
    }

    void send(Map<String, Object> frame) {
        String text = Api.JSON.writeValueAsString(frame);
        synchronized (this) {
            ws.sendText(text, true).join();
        }
    }

    /** The frame that ends turn {@code requestId} ({@code stream_end}, {@code response} or {@code error}), or null. */
    JsonNode awaitEnd(String requestId, Duration timeout) {
        return await(
                f -> requestId.equals(f.path("requestId").asString(""))
                        && switch (f.path("type").asString()) {
                            case "stream_end", "response", "error" -> true;
                            default -> false;
                        },
                timeout);
    }

    /** The frames received so far that answer {@code requestId}. */
    List<JsonNode> framesOf(String requestId) {
        synchronized (frames) {
            return frames.stream()
                    .filter(f -> requestId.equals(f.path("requestId").asString("")))
                    .toList();
        }
    }

    List<JsonNode> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    JsonNode await(java.util.function.Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (frames) {
            int seen = 0;
            while (true) {
                for (; seen < frames.size(); seen++) {
                    if (match.test(frames.get(seen))) {
                        return frames.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closeCode != null) {
                    return null;
                }
                try {
                    frames.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    boolean isClosed() {
        return closeCode != null;
    }

    Integer closeCode() {
        return closeCode;
    }

    void close() {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
                    .orTimeout(2, TimeUnit.SECONDS)
                    .exceptionally(e -> null);
        } catch (RuntimeException e) {
            ws.abort();
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            JsonNode frame = Api.JSON.readTree(partial.toString());
            partial.setLength(0);
            if (replaying && frame.path("type").asString().equals("resumed")) {
                replaying = false;
            }
            if (!replaying) {
                lastOwnSeq = Math.max(lastOwnSeq, frame.path("seq").asLong());
            }
            synchronized (frames) {
                frames.add(frame);
                frames.notifyAll();
            }
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        gone(statusCode);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        gone(1006);
    }

    private void gone(int code) {
        synchronized (frames) {
            closeCode = code;
            frames.notifyAll();
        }
    }
}
