package ai.agency.gateway.ws;

import ai.agency.gateway.GatewayProperties;
import ai.agency.gateway.session.SessionEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Continues a running stream across replicas. When a client resumes on replica B a connection that lived on replica
 * A, B replays the logged frames and asks every replica ({@code ws.takeover}, over {@code NOTIFY}) to hand the
 * connection over. A closes the old socket (if still open) and from then on announces each frame it logs for that
 * connection ({@code ws.frames}); B reads the frames after the last one it delivered from the replay log and sends
 * them on the new connection with the new connection's seq. A {@code cancel} on B for a request running on A is
 * forwarded ({@code ws.cancel}). Because B always reads "everything after what I delivered" from the log, a frame
 * is neither lost nor sent twice, whatever the order of the notifications.
 */
@Component
public class FrameRelay {

    private static final Logger log = LoggerFactory.getLogger(FrameRelay.class);

    /** A connection on this replica that continues one that lived elsewhere. */
    private static final class Follower {
        final UUID oldConnectionId;
        final Connection target;
        final ReentrantLock lock = new ReentrantLock();
        final Instant since = Instant.now();
        long lastSeq;
        /** The replica of the old connection answered the takeover (announced its frames). */
        volatile boolean heard;

        Follower(UUID oldConnectionId, Connection target, long lastSeq) {
            this.oldConnectionId = oldConnectionId;
            this.target = target;
            this.lastSeq = lastSeq;
        }
    }

    private final SessionEvents events;
    private final ReplayLog replayLog;
    private final ConnectionRegistry registry;
    private final JsonMapper json;
    private final Duration keep;
    private final Duration takeoverTimeout;
    private final OrphanedStreams orphans;
    private final Map<UUID, Follower> followers = new ConcurrentHashMap<>();
    private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();

    FrameRelay(
            SessionEvents events,
            ReplayLog replayLog,
            ConnectionRegistry registry,
            JsonMapper json,
            GatewayProperties properties,
            OrphanedStreams orphans) {
        this.events = events;
        this.replayLog = replayLog;
        this.registry = registry;
        this.json = json;
        this.keep =
                properties.realtime().resumeGrace().plus(properties.realtime().streamIdleTimeout());
        this.takeoverTimeout = properties.realtime().takeoverTimeout();
        this.orphans = orphans;
        events.onReplicaEvent(this::onReplicaEvent);
    }

    /**
     * Replays the frames of {@code old} after {@code afterSeq} on {@code target} (with their own seq), then follows
     * {@code old} wherever it runs. {@code afterReplay} gets the number of frames replayed, before any relayed frame.
     */
    void follow(UUID old, UUID userId, Connection target, long afterSeq, java.util.function.IntConsumer afterReplay) {
        Follower follower = new Follower(old, target, afterSeq);
        follower.lock.lock();
        try {
            Follower previous = followers.put(old, follower);
            if (previous != null && previous.target != target) {
                log.info("Connection {} is now followed by {} instead of {}", old, target.id(), previous.target.id());
            }
            List<ReplayLog.Frame> frames = replayLog.after(old, userId, afterSeq);
            target.replay(frames);
            if (!frames.isEmpty()) {
                follower.lastSeq = frames.getLast().seq();
            }
            afterReplay.accept(frames.size());
            events.notifyReplicas(json.createObjectNode()
                    .put("kind", "ws.takeover")
                    .put("connectionId", old.toString())
                    .put("userId", userId.toString()));
        } finally {
            follower.lock.unlock();
        }
        work.submit(() -> settleIfOrphaned(follower));
    }

    /**
     * A replica that holds the old connection answers the takeover at once (it announces the frames it logged). If
     * none does within {@code takeover-timeout}, the replica died with the connection: its streams will never go on,
     * so they are ended here (from the stored answer when there is one) instead of leaving the client waiting.
     */
    private void settleIfOrphaned(Follower follower) {
        try {
            Thread.sleep(takeoverTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (follower.heard || !follower.target.isOpen() || !followers.remove(follower.oldConnectionId, follower)) {
            return;
        }
        follower.lock.lock();
        try {
            deliver(follower); // frames the dead replica logged but never announced
            orphans.settle(follower.oldConnectionId, follower.target);
        } catch (RuntimeException e) {
            log.warn("Ending the streams of {} failed: {}", follower.oldConnectionId, e.getMessage());
        } finally {
            follower.lock.unlock();
        }
    }

    /** Forwards a cancel to the replica running the old connection; false when this connection follows none. */
    boolean forwardCancel(Connection connection, @Nullable String requestId) {
        for (Follower f : followers.values()) {
            if (f.target == connection) {
                events.notifyReplicas(json.createObjectNode()
                        .put("kind", "ws.cancel")
                        .put("connectionId", f.oldConnectionId.toString())
                        .put("userId", connection.userId().toString())
                        .put("requestId", requestId));
                return true;
            }
        }
        return false;
    }

    /** Drops followers whose connection is gone or whose old connection cannot be producing any more. */
    void expire() {
        Instant cutoff = Instant.now().minus(keep);
        followers.values().removeIf(f -> !f.target.isOpen() || f.since.isBefore(cutoff));
    }

    private void onReplicaEvent(JsonNode event) {
        UUID connectionId;
        UUID userId;
        try {
            connectionId = UUID.fromString(event.path("connectionId").asString());
            userId = event.has("userId") ? UUID.fromString(event.path("userId").asString()) : null;
        } catch (IllegalArgumentException e) {
            return;
        }
        switch (event.path("kind").asString()) {
            case "ws.takeover" -> {
                Connection old = registry.get(connectionId);
                if (old != null && old.userId().equals(userId)) {
                    work.submit(() -> old.handOver(() -> announce(connectionId)));
                }
            }
            case "ws.frames" -> {
                Follower follower = followers.get(connectionId);
                if (follower != null) {
                    follower.heard = true;
                    work.submit(() -> deliver(follower));
                }
            }
            case "ws.cancel" -> {
                Connection old = registry.get(connectionId);
                if (old != null && old.userId().equals(userId)) {
                    Downstream.Cancel cancel =
                            old.running().get(event.path("requestId").asString());
                    if (cancel != null) {
                        cancel.cancel();
                    }
                }
            }
            default -> {
                // another feature's event
            }
        }
    }

    /** On the old replica: tells the follower that frames of {@code connectionId} were logged. */
    private void announce(UUID connectionId) {
        try {
            events.notifyReplicas(
                    json.createObjectNode().put("kind", "ws.frames").put("connectionId", connectionId.toString()));
        } catch (RuntimeException e) {
            log.warn("Could not announce frames of connection {}: {}", connectionId, e.getMessage());
        }
    }

    /** On the new replica: sends every frame logged after the last one delivered, as new frames. */
    private void deliver(Follower follower) {
        follower.lock.lock();
        try {
            List<ReplayLog.Frame> frames =
                    replayLog.after(follower.oldConnectionId, follower.target.userId(), follower.lastSeq);
            for (ReplayLog.Frame frame : frames) {
                ObjectNode fields = (ObjectNode) json.readTree(frame.payload());
                String type = fields.path("type").asString();
                String requestId = fields.path("requestId").isString()
                        ? fields.path("requestId").asString()
                        : null;
                fields.remove(List.of("type", "seq", "ts", "requestId"));
                follower.target.send(type, requestId, fields);
                follower.lastSeq = frame.seq();
            }
        } catch (RuntimeException e) {
            log.warn("Relaying frames of {} failed: {}", follower.oldConnectionId, e.getMessage());
        } finally {
            follower.lock.unlock();
        }
    }
}
