package ai.agency.gateway.ws;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.SessionLimitExceededException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One WebSocket connection: its user, the token relayed to the services, the per-connection {@code seq}, and the
 * requests still running. Frames are numbered, appended to the replay log and sent in one critical section, so their
 * order on the wire is their seq order. After a {@code resume} on another connection, frames of streams still
 * running here are forwarded there.
 */
public final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final UUID id = UUID.randomUUID();
    private final UUID userId;
    private final String token;
    private final ConcurrentWebSocketSessionDecorator session;
    private final ReplayLog replayLog;
    private final JsonMapper json;
    private final WsMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Downstream.Cancel> running = new ConcurrentHashMap<>();
    private long seq;
    private volatile @Nullable Connection forwardTo;
    private volatile @Nullable Runnable afterLog;
    private final StringBuilder partial = new StringBuilder();
    private boolean partialTooLarge;
    private volatile long lastPongNanos = System.nanoTime();
    private volatile long pingSentNanos;
    private volatile double heartbeatMillis = -1;
    private volatile @Nullable Instant closedAt;

    Connection(
            UUID userId,
            String token,
            WebSocketSession session,
            int sendTimeLimitMillis,
            int bufferBytes,
            ReplayLog replayLog,
            JsonMapper json,
            WsMetrics metrics) {
        this.userId = userId;
        this.token = token;
        this.session = new ConcurrentWebSocketSessionDecorator(
                session,
                sendTimeLimitMillis,
                bufferBytes,
                ConcurrentWebSocketSessionDecorator.OverflowStrategy.TERMINATE);
        this.replayLog = replayLog;
        this.json = json;
        this.metrics = metrics;
    }

    /** What {@link #assemble} answers for a message longer than the limit (its parts were dropped as they came). */
    static final String TOO_LARGE = new String("<too large>");

    /**
     * Collects the parts of one client message (called on the socket's thread, one message at a time). Returns the
     * whole message after its last part, null while parts are missing, or {@link #TOO_LARGE} for a message of more
     * than {@code maxChars} characters, of which nothing more than the limit was ever kept.
     */
    @Nullable
    String assemble(String part, boolean last, int maxChars) {
        if (last && partial.isEmpty() && !partialTooLarge) {
            return part.length() > maxChars ? TOO_LARGE : part; // the usual case: a message in one part
        }
        if (!partialTooLarge) {
            if (partial.length() + part.length() > maxChars) {
                partialTooLarge = true;
                partial.setLength(0);
            } else {
                partial.append(part);
            }
        }
        if (!last) {
            return null;
        }
        String whole = partialTooLarge ? TOO_LARGE : partial.toString();
        partialTooLarge = false;
        partial.setLength(0);
        partial.trimToSize();
        return whole;
    }

    public UUID id() {
        return id;
    }

    public UUID userId() {
        return userId;
    }

    String token() {
        return token;
    }

    public boolean isOpen() {
        return closedAt == null && session.isOpen();
    }

    @Nullable
    Instant closedAt() {
        return closedAt;
    }

    void markClosed() {
        closedAt = Instant.now();
    }

    Map<String, Downstream.Cancel> running() {
        return running;
    }

    void finished(@Nullable String requestId) {
        running.remove(requestId);
        Connection next = forwardTo;
        if (next != null) {
            next.finished(requestId);
        }
    }

    /** Like {@link #finished(String)}, but only while {@code key} still belongs to {@code cancel}. */
    void finished(String key, Downstream.Cancel cancel) {
        running.remove(key, cancel);
        Connection next = forwardTo;
        if (next != null) {
            next.finished(key, cancel);
        }
    }

    long lastPongNanos() {
        return lastPongNanos;
    }

    void ponged() {
        lastPongNanos = System.nanoTime();
    }

    /** A pong to the server's ping: alive, and its round trip is the connection's heartbeat latency. */
    void pongReceived() {
        long now = System.nanoTime();
        lastPongNanos = now;
        long sent = pingSentNanos;
        if (sent > 0) {
            heartbeatMillis = (now - sent) / 1e6;
            pingSentNanos = 0;
        }
    }

    /** The last ping → pong round trip in ms, -1 before the first pong. */
    double heartbeatMillis() {
        return heartbeatMillis;
    }

    /** Sends a frame with the next seq (or forwards it to the connection that resumed this one). */
    public void send(String type, @Nullable String requestId, @Nullable ObjectNode fields) {
        Connection target;
        Runnable announce;
        lock.lock();
        try {
            target = forwardTo;
            announce = afterLog;
            if (target == null) {
                ObjectNode frame = json.createObjectNode();
                frame.put("type", type);
                frame.put("seq", ++seq);
                frame.put("ts", Instant.now().toString());
                if (requestId != null) {
                    frame.put("requestId", requestId);
                }
                if (fields != null) {
                    fields.properties().forEach(e -> {
                        if (!frame.has(e.getKey())) {
                            frame.set(e.getKey(), e.getValue());
                        }
                    });
                }
                String text = json.writeValueAsString(frame);
                try {
                    replayLog.append(id, userId, seq, text);
                } catch (RuntimeException e) {
                    log.warn("Could not log frame {} of connection {}: {}", seq, id, e.getMessage());
                }
                write(text);
                metrics.frameOut(type);
            }
        } finally {
            lock.unlock();
        }
        if (target != null) {
            target.send(type, requestId, fields);
        } else if (announce != null) {
            announce.run();
        }
    }

    /**
     * This connection was resumed on another replica: stop writing to this socket, announce every frame logged from
     * now on (and once at once, for frames logged before), and close the socket if it is still open.
     */
    void handOver(Runnable announce) {
        lock.lock();
        try {
            afterLog = announce;
            if (closedAt == null) {
                closedAt = Instant.now();
            }
        } finally {
            lock.unlock();
        }
        announce.run();
        close(CloseStatus.NORMAL.withReason("resumed elsewhere"));
    }

    /** Replays frames of {@code old} (with their own seq) and then makes {@code old} forward its later frames here. */
    void takeOver(
            Connection old,
            java.util.function.Supplier<java.util.List<ReplayLog.Frame>> missed,
            java.util.function.IntConsumer afterReplay) {
        old.lock.lock();
        try {
            java.util.List<ReplayLog.Frame> frames = missed.get();
            replay(frames);
            afterReplay.accept(frames.size());
            running.putAll(old.running);
            old.forwardTo = this;
        } finally {
            old.lock.unlock();
        }
    }

    /** Sends frames logged on another connection, as they are. */
    void replay(java.util.List<ReplayLog.Frame> frames) {
        lock.lock();
        try {
            frames.forEach(f -> write(f.payload()));
        } finally {
            lock.unlock();
        }
    }

    private void write(String text) {
        if (!session.isOpen() || closedAt != null) {
            return;
        }
        try {
            session.sendMessage(new TextMessage(text));
        } catch (SessionLimitExceededException e) {
            closeSlowReader();
        } catch (IOException | RuntimeException e) {
            log.debug("Send on connection {} failed: {}", id, e.getMessage());
        }
    }

    /** A protocol-level ping; also how a client too slow to read is noticed (the decorator's limits). */
    void ping() {
        pingSentNanos = System.nanoTime();
        try {
            session.sendMessage(new PingMessage());
        } catch (SessionLimitExceededException e) {
            closeSlowReader();
        } catch (IOException | RuntimeException e) {
            log.debug("Ping on connection {} failed: {}", id, e.getMessage());
        }
    }

    boolean sendBlockedLongerThan(long millis) {
        return session.getTimeSinceSendStarted() > millis;
    }

    void closeSlowReader() {
        log.info("Closing connection {} of user {}: client too slow to read", id, userId);
        markClosed(); // nothing more is written; its streams wait for a resume like a dropped connection's
        close(CloseStatus.POLICY_VIOLATION.withReason("client too slow to read"));
    }

    /**
     * Closes the socket with {@code status}. A close frame cannot overtake a frame still being written, so a close
     * waits (at most 30 s) for a blocked send to finish; then the close frame follows it.
     */
    void close(CloseStatus status) {
        Thread.ofVirtual().start(() -> {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (session.getTimeSinceSendStarted() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            try {
                session.getDelegate().close(status);
            } catch (IOException | RuntimeException e) {
                log.debug("Close of connection {} failed: {}", id, e.getMessage());
            }
        });
    }
}
