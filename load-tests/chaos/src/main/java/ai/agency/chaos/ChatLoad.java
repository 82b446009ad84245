package ai.agency.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Streaming chat turns sent back to back on many WebSocket connections (a few per user, within the gateway's
 * per-user limit), each turn recorded with what its stream said: ended, degraded (and what was skipped), memories
 * used, an error, or nothing within the timeout.
 */
final class ChatLoad implements AutoCloseable {

    /** One turn as the client saw it. {@code outcome}: end, error:&lt;errorType&gt;, closed, timeout. */
    record Turn(
            long startNanos,
            long endNanos,
            String outcome,
            List<String> skipped,
            int memoriesUsed,
            String text,
            int shed) {

        boolean answered() {
            return outcome.equals("end") && !text.isBlank();
        }

        boolean skippedMemory() {
            return skipped.contains("memory");
        }
    }

    static final Duration TURN_TIMEOUT = Duration.ofSeconds(60);
    static final Duration THINK =
            Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("CHAOS_THINK_MS", "1000")));

    private final List<Turn> turns = Collections.synchronizedList(new ArrayList<>());
    private final List<ChatSocket> sockets = new ArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean stopping;

    /** Opens {@code chats} connections, {@code perUser} per user, and starts chatting {@code message} on each. */
    ChatLoad(Platform platform, List<Api.User> users, int chats, int perUser, String message) {
        for (int i = 0; i < chats; i++) {
            Api.User user = users.get(i / perUser);
            ChatSocket socket =
                    ChatSocket.open(platform.api.http(), platform.port("realtime-gateway"), user.accessToken());
            sockets.add(socket);
        }
        for (ChatSocket socket : sockets) {
            threads.submit(() -> loop(socket, message));
        }
    }

    private void loop(ChatSocket socket, String message) {
        String conversation = null;
        while (!stopping && !socket.isClosed()) {
            long start = System.nanoTime();
            // a shed turn (429 rate_limit) is sent again after its retryAfter, as a well-behaved client does
            ChatSocket.Admitted admitted = socket.chatUntilAdmitted(message, conversation, TURN_TIMEOUT, id -> {});
            String id = admitted.requestId();
            JsonNode end = admitted.end();
            List<JsonNode> frames = socket.framesOf(id);
            String outcome = end == null
                    ? (socket.isClosed() ? "closed" : "timeout")
                    : switch (end.path("type").asString()) {
                        case "error" -> "error:" + end.path("errorType").asString("?");
                        default -> "end";
                    };
            List<String> skipped = new ArrayList<>();
            int used = 0;
            StringBuilder text = new StringBuilder();
            for (JsonNode f : frames) {
                switch (f.path("type").asString()) {
                    case "degraded" -> f.path("skipped").forEach(s -> skipped.add(s.asString()));
                    case "memory" -> used = Math.max(used, f.path("used").size()); // api.md's memory {used}
                    case "stream_chunk" -> text.append(f.path("content").asString(""));
                    case "stream_start" ->
                        conversation = f.path("conversationId").asString(conversation);
                    default -> {}
                }
            }
            turns.add(new Turn(start, System.nanoTime(), outcome, skipped, used, text.toString(), admitted.shed()));
            if (THINK.isPositive()) {
                Api.sleep(THINK); // a person reads the answer before the next message
            }
        }
    }

    List<Turn> turns() {
        synchronized (turns) {
            return List.copyOf(turns);
        }
    }

    int connections() {
        return sockets.size();
    }

    /** Close codes of the sockets the server closed, by code. */
    java.util.Map<Integer, Long> closedByServer() {
        return sockets.stream()
                .filter(ChatSocket::isClosed)
                .collect(java.util.stream.Collectors.groupingBy(
                        ChatSocket::closeCode, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    /** Stops sending new turns and waits for the running ones to end (at most the turn timeout). */
    @Override
    public void close() {
        stopping = true;
        threads.shutdown();
        try {
            threads.awaitTermination(TURN_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sockets.forEach(ChatSocket::close);
    }
}
