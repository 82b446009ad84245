package ai.agency.gateway.ws;

import ai.agency.gateway.GatewayProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * The socket's life around the frames: a heartbeat that pings, closes dead and too-slow connections and drops dropped
 * ones after resume-grace; the replay log purge; and a graceful shutdown that ends running streams with their final
 * frame before the sockets close. Stops before the web server's graceful phase (the default, highest phase).
 */
@Component
class RealtimeLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RealtimeLifecycle.class);

    private final ConnectionRegistry registry;
    private final ReplayLog replayLog;
    private final FrameRelay relay;
    private final RequestThreads threads;
    private final GatewayProperties.Realtime settings;
    private @Nullable ScheduledExecutorService timers;
    private volatile boolean running;

    RealtimeLifecycle(
            ConnectionRegistry registry,
            ReplayLog replayLog,
            FrameRelay relay,
            RequestThreads threads,
            GatewayProperties properties) {
        this.registry = registry;
        this.replayLog = replayLog;
        this.relay = relay;
        this.threads = threads;
        this.settings = properties.realtime();
    }

    void heartbeat() {
        relay.expire();
        long now = System.nanoTime();
        long deadAfter = settings.heartbeatInterval().multipliedBy(3).toNanos();
        Instant graceEnd = Instant.now().minus(settings.resumeGrace());
        for (Connection c : registry.all()) {
            if (c.closedAt() != null) {
                if (c.closedAt().isBefore(graceEnd) || c.running().isEmpty()) {
                    c.running().values().forEach(Downstream.Cancel::cancel);
                    registry.remove(c);
                }
            } else if (c.sendBlockedLongerThan(settings.sendTimeLimit().toMillis())) {
                c.closeSlowReader(); // checked first: pings stuck behind unread frames go unanswered too
            } else if (now - c.lastPongNanos() > deadAfter) {
                log.info("Closing connection {} of user {}: no pong", c.id(), c.userId());
                c.markClosed();
                c.close(CloseStatus.SERVER_ERROR.withReason("no heartbeat"));
            } else {
                c.ping();
            }
        }
    }

    void purge() {
        try {
            int purged = replayLog.purgeOlderThan(settings.replayTtl());
            if (purged > 0) {
                log.debug("Purged {} replay frames", purged);
            }
        } catch (RuntimeException e) {
            log.warn("Replay log purge failed: {}", e.getMessage());
        }
    }

    @Override
    public void start() {
        threads.renew(); // started again after a stop (a paused test context, a lifecycle restart)
        timers = Executors.newScheduledThreadPool(
                1, Thread.ofVirtual().name("ws-timer-", 0).factory());
        long beat = settings.heartbeatInterval().toMillis();
        timers.scheduleWithFixedDelay(this::safeHeartbeat, beat, beat, TimeUnit.MILLISECONDS);
        long purge = settings.purgeInterval().toMillis();
        timers.scheduleWithFixedDelay(this::purge, purge, purge, TimeUnit.MILLISECONDS);
        running = true;
    }

    private void safeHeartbeat() {
        try {
            heartbeat();
        } catch (RuntimeException e) {
            log.warn("Heartbeat failed: {}", e.getMessage());
        }
    }

    /**
     * Graceful shutdown (after common-lib's readiness grace, so no new client is sent here any more): idle sockets
     * close 1001 at once; a socket with a running stream gets {@code shutdown-handover} for it to end, then closes 1001
     * while the stream goes on into the replay log, and its client resumes on another replica, which relays the rest
     * (FrameRelay). Running streams get {@code shutdown-drain} to end by themselves (a rolling restart then cuts no
     * answer short); those still running are cancelled (each stream gets its stream_end), then the rest close 1001.
     */
    @Override
    public void stop() {
        running = false;
        if (!drain(settings.shutdownDrain(), settings.shutdownHandover())) {
            for (Connection c : registry.all()) {
                c.running().values().forEach(Downstream.Cancel::cancel);
            }
            awaitNoStreams(Duration.ofSeconds(5));
        }
        for (Connection c : registry.all()) {
            c.close(CloseStatus.GOING_AWAY.withReason("server shutting down"));
        }
        if (timers != null) {
            timers.shutdownNow();
        }
        threads.shutdown();
    }

    /**
     * Closes (1001) each connection as soon as it has no running request, so its client resumes on another replica
     * at once, and busy ones after {@code handover} (their streams go on, logged, and are relayed to wherever the
     * client resumes), while the streams end by themselves; at most {@code timeout}. True if no stream is left.
     */
    private boolean drain(Duration timeout, Duration handover) {
        java.util.Set<Connection> closed = new java.util.HashSet<>();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long handoverAt = start + handover.toNanos();
        while (true) {
            boolean busy = false;
            // a handover at or past the drain's end is none: busy sockets stay open until their streams end
            boolean handOver = handover.compareTo(timeout) < 0 && System.nanoTime() - handoverAt >= 0;
            for (Connection c : registry.all()) {
                if (!c.running().isEmpty()) {
                    busy = true;
                    if (handOver && c.closedAt() == null && closed.add(c)) {
                        log.info(
                                "Shutting down: connection {} closed with its streams running, to be resumed elsewhere",
                                c.id());
                        c.close(CloseStatus.GOING_AWAY.withReason("server shutting down"));
                    }
                } else if (closed.add(c)) {
                    c.close(CloseStatus.GOING_AWAY.withReason("server shutting down"));
                }
            }
            if (!busy) {
                return true;
            }
            if (System.nanoTime() >= deadline || !sleep()) {
                return false;
            }
        }
    }

    /** Waits until no connection has a running request, at most {@code timeout}; true if none is left. */
    private boolean awaitNoStreams(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (registry.all().stream().anyMatch(c -> !c.running().isEmpty())) {
            if (System.nanoTime() >= deadline || !sleep()) {
                return false;
            }
        }
        return true;
    }

    /** Sleeps 50 ms; false if interrupted (then the shutdown goes on at once). */
    private static boolean sleep() {
        try {
            Thread.sleep(50);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** False before start and from the start of a stop: new connections are then closed 1001 at once. */
    @Override
    public boolean isRunning() {
        return running;
    }
}
