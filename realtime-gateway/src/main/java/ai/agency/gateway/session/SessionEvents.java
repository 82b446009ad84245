package ai.agency.gateway.session;

import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Events for users' sockets on every gateway replica, carried by PostgreSQL {@code LISTEN/NOTIFY} on channel
 * {@code gateway_events}. A notification is sent when the publishing transaction commits. Payloads too big for a
 * notification (PostgreSQL allows 8000 bytes) are stored in {@code realtime_events} and the notification carries the
 * row id. Each replica listens on a connection of its own and hands each user's events to the sink the WebSocket
 * side registered ({@link #onUserEvent}), which sends them on the recipients' sockets connected to it.
 */
@Component
public class SessionEvents implements SmartLifecycle {

    static final String CHANNEL = "gateway_events";
    static final int MAX_NOTIFY_BYTES = 7000;
    private static final Logger log = LoggerFactory.getLogger(SessionEvents.class);

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final String url;
    private final String username;
    private final String password;
    private final List<Consumer<JsonNode>> internalListeners = new CopyOnWriteArrayList<>();
    private volatile UserEventSink users = (userId, type, fields) -> {};
    private volatile boolean running;
    private volatile boolean listening;
    private @Nullable Thread listener;

    SessionEvents(
            JdbcClient jdbc,
            JsonMapper json,
            @Value("${spring.datasource.url}") String url,
            @Value("${spring.datasource.username:}") String username,
            @Value("${spring.datasource.password:}") String password) {
        this.jdbc = jdbc;
        this.json = json;
        this.url = url;
        this.username = username;
        this.password = password;
    }

    /** Sends {@code type} with {@code fields} to the users' open sockets, on whichever replica they are. */
    public void publish(Collection<UUID> userIds, String type, ObjectNode fields) {
        if (userIds.isEmpty()) {
            return;
        }
        ObjectNode event = json.createObjectNode().put("type", type);
        event.set("users", json.valueToTree(userIds));
        event.set("fields", fields);
        String payload = json.writeValueAsString(event);
        if (payload.getBytes(StandardCharsets.UTF_8).length > MAX_NOTIFY_BYTES) {
            Long id = jdbc.sql("INSERT INTO realtime_events (payload) VALUES (?) RETURNING id")
                    .param(payload)
                    .query(Long.class)
                    .single();
            payload = "{\"ref\":" + id + "}";
        }
        jdbc.sql("SELECT pg_notify(?, ?)").params(CHANNEL, payload).query().singleRow();
    }

    /**
     * Sends an event between gateway replicas (not to users' sockets) at once, outside any transaction. It must
     * carry a string {@code kind} and stay small (a notification holds at most 8000 bytes).
     */
    public void notifyReplicas(ObjectNode event) {
        if (!event.path("kind").isString()) {
            throw new IllegalArgumentException("a replica event needs a 'kind'");
        }
        jdbc.sql("SELECT pg_notify(?, ?)")
                .params(CHANNEL, json.writeValueAsString(event))
                .query()
                .singleRow();
    }

    /** Where the events for users go on this replica: their open sockets. */
    @FunctionalInterface
    public interface UserEventSink {
        void send(UUID userId, String type, ObjectNode fields);
    }

    /** Sets where this replica's users' events go (the WebSocket side registers it, once). */
    public void onUserEvent(UserEventSink sink) {
        this.users = sink;
    }

    /** Receives every replica event (those with a {@code kind}), on the listener thread: hand long work off. */
    public void onReplicaEvent(Consumer<JsonNode> listener) {
        internalListeners.add(listener);
    }

    /** True once this replica listens (events published before may be missed). */
    public boolean listening() {
        return listening;
    }

    void deliver(String payload) {
        try {
            JsonNode event = json.readTree(payload);
            if (event.path("kind").isString()) {
                for (Consumer<JsonNode> listener : internalListeners) {
                    try {
                        listener.accept(event);
                    } catch (RuntimeException e) {
                        log.warn(
                                "Replica event {} failed: {}",
                                event.path("kind").asString(),
                                e.getMessage());
                    }
                }
                return;
            }
            if (event.has("ref")) {
                long id = event.get("ref").asLong();
                String stored = jdbc.sql("SELECT payload FROM realtime_events WHERE id = ?")
                        .param(id)
                        .query(String.class)
                        .optional()
                        .orElse(null);
                if (stored == null) {
                    log.warn("Realtime event {} is gone before delivery", id);
                    return;
                }
                event = json.readTree(stored);
            }
            String type = event.path("type").asString();
            ObjectNode fields = (ObjectNode) event.get("fields");
            for (JsonNode user : event.path("users")) {
                users.send(UUID.fromString(user.asString()), type, fields.deepCopy());
            }
        } catch (JacksonException | IllegalArgumentException | ClassCastException e) {
            log.warn("Dropping a malformed realtime event: {}", e.getMessage());
        }
    }

    /** Deletes spilled events every replica has had time to read. */
    public int purgeOlderThan(Duration age) {
        return jdbc.sql("DELETE FROM realtime_events WHERE created_at < ?")
                .param(Timestamp.from(Instant.now().minus(age)))
                .update();
    }

    private void listen() {
        while (running) {
            try (java.sql.Connection connection = DriverManager.getConnection(url, username, password)) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                listening = true;
                long purgedAt = System.nanoTime();
                while (running) {
                    if (System.nanoTime() - purgedAt > Duration.ofMinutes(1).toNanos()) {
                        purgedAt = System.nanoTime();
                        try {
                            purgeOlderThan(Duration.ofMinutes(5));
                        } catch (RuntimeException e) {
                            log.warn("Purge of realtime events failed: {}", e.getMessage());
                        }
                    }
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            deliver(n.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                listening = false;
                if (running) {
                    log.warn("LISTEN {} failed, retrying: {}", CHANNEL, e.getMessage());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
        listening = false;
    }

    @Override
    public void start() {
        running = true;
        listener = Thread.ofPlatform().daemon().name("gateway-events-listener").start(this::listen);
    }

    @Override
    public void stop() {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops after the WebSocket drain (RealtimeLifecycle, default phase) and the web server's graceful shutdown: a
     * stream still running on a stopping replica is relayed to the replica its client resumed on through these
     * notifications ({@code ws.takeover}, {@code ws.frames}).
     */
    @Override
    public int getPhase() {
        return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1;
    }
}
