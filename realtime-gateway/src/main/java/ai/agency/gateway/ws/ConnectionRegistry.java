package ai.agency.gateway.ws;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** The connections open on this replica (and those recently dropped whose streams wait for a resume). */
@Component
public class ConnectionRegistry {

    private final Map<UUID, Connection> connections = new ConcurrentHashMap<>();

    void add(Connection connection) {
        connections.put(connection.id(), connection);
    }

    void remove(Connection connection) {
        connections.remove(connection.id(), connection);
    }

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
