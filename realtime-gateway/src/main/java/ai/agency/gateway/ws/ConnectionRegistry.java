package ai.agency.gateway.ws;

import ai.agency.gateway.session.SessionEvents;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** The connections open on this replica (and those recently dropped whose streams wait for a resume). */
@Component
public class ConnectionRegistry {

    private final Map<UUID, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicLong opened = new AtomicLong();

    /** Session events (published on any replica) reach the users' sockets open here. */
    ConnectionRegistry(SessionEvents events) {
        events.onUserEvent(
                (userId, type, fields) -> openOf(userId).forEach(c -> c.send(type, null, fields.deepCopy())));
    }

    void add(Connection connection) {
        connections.put(connection.id(), connection);
        opened.incrementAndGet();
    }

    /** Connections opened on this replica since it started. */
    public long openedTotal() {
        return opened.get();
    }

    /** The mean of the open connections' last ping → pong round trip, in ms; null before any pong. */
    public @Nullable Double averageHeartbeatMillis() {
        var rtts = connections.values().stream()
                .filter(Connection::isOpen)
                .mapToDouble(Connection::heartbeatMillis)
                .filter(ms -> ms >= 0)
                .summaryStatistics();
        return rtts.getCount() == 0 ? null : rtts.getAverage();
    }

    void remove(Connection connection) {
        connections.remove(connection.id(), connection);
    }

    @Nullable
    Connection get(UUID connectionId) {
        return connections.get(connectionId);
    }

    Collection<Connection> all() {
        return connections.values();
    }

    /** Open connections of a user on this replica. */
    public List<Connection> openOf(UUID userId) {
        return connections.values().stream()
                .filter(c -> c.userId().equals(userId) && c.isOpen())
                .toList();
    }

    public int openCount() {
        return (int) connections.values().stream().filter(Connection::isOpen).count();
    }
}
