package ai.agency.gateway.session;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Collaboration sessions (the seed's CollaborationManager): a purpose, participants and a shared context. Participants
 * online on any replica hear of a new session ({@code session.joined}) and of shared context from the others
 * ({@code session.context}).
 */
@Service
public class SessionService {

    /** A session as the API shows it. */
    public record Session(
            UUID id,
            String purpose,
            List<UUID> participants,
            JsonNode context,
            UUID createdBy,
            java.time.Instant createdAt,
            java.time.Instant updatedAt) {}

    static final int MAX_CONTEXT_BYTES = 256 * 1024;

    private final SessionRepository sessions;
    private final SessionEvents events;
    private final JsonMapper json;

    SessionService(SessionRepository sessions, SessionEvents events, JsonMapper json) {
        this.sessions = sessions;
        this.events = events;
        this.json = json;
    }

    @Transactional
    public Session create(Caller caller, String purpose, List<UUID> userIds) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot start sessions");
        }
        Set<UUID> participants = new LinkedHashSet<>();
        participants.add(caller.id());
        participants.addAll(userIds);
        UUID id = UUID.randomUUID();
        sessions.create(id, purpose, caller.id(), participants);
        Session session = get(caller.id(), id);
        ObjectNode joined = json.createObjectNode()
                .put("sessionId", id.toString())
                .put("purpose", purpose)
                .put("by", caller.id().toString());
        joined.set("participants", json.valueToTree(session.participants()));
        events.publish(session.participants(), "session.joined", joined);
        return session;
    }

    public Session get(UUID userId, UUID id) {
        SessionRepository.Row row = sessions.find(id).orElseThrow(() -> AgencyException.notFound("session", id));
        List<UUID> participants = sessions.participants(id);
        if (!participants.contains(userId)) {
            throw AgencyException.forbidden("You are not a participant of this session");
        }
        return new Session(
                row.id(),
                row.purpose(),
                participants,
                json.readTree(row.context()),
                row.createdBy(),
                row.createdAt(),
                row.updatedAt());
    }

    /** Shares context with the session: stored (merged) and sent to the other participants. */
    @Transactional
    public void share(UUID userId, UUID id, JsonNode context) {
        Session session = get(userId, id);
        String text = json.writeValueAsString(context);
        if (text.length() > MAX_CONTEXT_BYTES) {
            throw AgencyException.invalidField("context", "must be at most " + MAX_CONTEXT_BYTES + " bytes");
        }
        sessions.mergeContext(id, text);
        ObjectNode event =
                json.createObjectNode().put("sessionId", id.toString()).put("from", userId.toString());
        event.set("context", context);
        events.publish(
                session.participants().stream().filter(p -> !p.equals(userId)).toList(), "session.context", event);
    }
}
