package ai.agency.gateway.session;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import ai.agency.gateway.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Collaboration sessions (the seed's CollaborationManager): a purpose, participants and a shared context. The users a
 * creator names are invited ({@code session.invited}) and take part only once they accept; only participants read
 * the context and hear of it ({@code session.joined}, {@code session.context}, {@code session.ended}), on any
 * replica. Every rule on who may do what lives here, so REST and the WebSocket's {@code session.share} apply the
 * same ones.
 */
@Service
public class SessionService {

    /** A session as its participants see it: {@code invited} are the pending invitations. */
    public record Session(
            UUID id,
            String purpose,
            List<UUID> participants,
            List<UUID> invited,
            JsonNode context,
            UUID createdBy,
            Instant createdAt,
            Instant updatedAt) {}

    /** One entry of a user's list: {@code membership} is {@code participant} or {@code invited}. */
    public record Listed(
            UUID id, String purpose, UUID createdBy, Instant createdAt, String membership, Instant since) {}

    private final SessionRepository sessions;
    private final SessionEvents events;
    private final JsonMapper json;
    private final GatewayProperties.Sessions limits;

    SessionService(SessionRepository sessions, SessionEvents events, JsonMapper json, GatewayProperties properties) {
        this.sessions = sessions;
        this.events = events;
        this.json = json;
        this.limits = properties.sessions();
    }

    /** Creates a session: the caller is its only participant, {@code userIds} are invited. */
    @Transactional
    public Session create(Caller caller, String purpose, List<UUID> userIds) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot start sessions");
        }
        Set<UUID> invited = new LinkedHashSet<>(userIds);
        invited.remove(caller.id());
        if (invited.size() > limits.maxInvitations()) {
            throw AgencyException.invalidField(
                    "userIds", "at most " + limits.maxInvitations() + " invitations per session");
        }
        UUID id = UUID.randomUUID();
        sessions.create(id, purpose, caller.id(), invited);
        ObjectNode invitation = json.createObjectNode()
                .put("sessionId", id.toString())
                .put("purpose", purpose)
                .put("from", caller.id().toString());
        events.publish(invited, "session.invited", invitation);
        return view(sessions.find(id).orElseThrow());
    }

    /** The session, for its participants; anyone else (an invitee too) gets the 404 of an unknown session. */
    public Session get(UUID userId, UUID id) {
        Session session = sessions.find(id).map(this::view).orElseThrow(() -> notFound(id));
        if (!session.participants().contains(userId)) {
            throw notFound(id);
        }
        return session;
    }

    /** The user's sessions and pending invitations, newest first. */
    public Page<Listed> list(UUID userId, @Nullable Integer limit, @Nullable String cursor) {
        int size = Page.limit(limit);
        Cursor.Keyset after = Cursor.keyset(cursor);
        List<Listed> rows = sessions.listFor(
                userId, after == null ? null : after.createdAt(), after == null ? null : after.id(), size + 1);
        return Page.of(rows, size, l -> Cursor.of(l.createdAt(), l.id()));
    }

    /** An invitee accepts: they become a participant and the participants online hear of it. */
    @Transactional
    public Session join(Caller caller, UUID id) {
        SessionRepository.Row row = sessions.find(id).orElseThrow(() -> notFound(id));
        if (sessions.participants(id).contains(caller.id())) {
            return view(row); // joined already
        }
        if (!sessions.accept(id, caller.id())) {
            throw notFound(id);
        }
        Session session = view(row);
        events.publish(session.participants(), "session.joined", joined(session, caller.id()));
        return session;
    }

    /** An invitee declines: the invitation is gone. */
    @Transactional
    public void decline(UUID userId, UUID id) {
        if (!sessions.decline(id, userId)) {
            throw AgencyException.notFound("invitation to session", id);
        }
    }

    /** The creator ends the session: it is deleted with its context, and the participants online hear of it. */
    @Transactional
    public void end(UUID userId, UUID id) {
        Session session = get(userId, id);
        if (!session.createdBy().equals(userId)) {
            throw AgencyException.forbidden("Only the session's creator can end it");
        }
        if (!sessions.delete(id)) {
            throw notFound(id);
        }
        ObjectNode ended =
                json.createObjectNode().put("sessionId", id.toString()).put("by", userId.toString());
        events.publish(session.participants(), "session.ended", ended);
    }

    /**
     * Shares context with the session: merged into the stored context and sent to the other participants. Only
     * participants who may write share (not viewers, not invitees who have not joined), within the size limits.
     */
    @Transactional
    public void share(Caller caller, UUID id, JsonNode context) {
        SessionRepository.Row row = sessions.find(id).orElseThrow(() -> notFound(id));
        List<UUID> participants = sessions.participants(id);
        if (!participants.contains(caller.id())) {
            throw AgencyException.forbidden(
                    sessions.isInvited(id, caller.id())
                            ? "Join the session before sharing context"
                            : "You are not a participant of this session");
        }
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot share context");
        }
        String text = json.writeValueAsString(context);
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxShareSize().toBytes()) {
            throw tooLarge("must be at most " + limits.maxShareSize().toBytes() + " bytes");
        }
        ObjectNode authors = json.createObjectNode();
        context.propertyNames().forEach(key -> authors.put(key, caller.id().toString()));
        if (!sessions.mergeContext(
                row.id(),
                text,
                json.writeValueAsString(authors),
                limits.maxContextSize().toBytes())) {
            if (sessions.find(id).isEmpty()) {
                throw notFound(id);
            }
            throw tooLarge("the session's shared context would pass its limit of "
                    + limits.maxContextSize().toBytes() + " bytes; replace keys instead of adding new ones");
        }
        ObjectNode event = json.createObjectNode()
                .put("sessionId", id.toString())
                .put("from", caller.id().toString());
        event.set("context", context);
        events.publish(participants.stream().filter(p -> !p.equals(caller.id())).toList(), "session.context", event);
    }

    private Session view(SessionRepository.Row row) {
        return new Session(
                row.id(),
                row.purpose(),
                sessions.participants(row.id()),
                sessions.invited(row.id()),
                json.readTree(row.context()),
                row.createdBy(),
                row.createdAt(),
                row.updatedAt());
    }

    private ObjectNode joined(Session session, UUID userId) {
        ObjectNode joined = json.createObjectNode()
                .put("sessionId", session.id().toString())
                .put("purpose", session.purpose())
                .put("by", userId.toString())
                .put("userId", userId.toString());
        joined.set("participants", json.valueToTree(session.participants()));
        return joined;
    }

    private static AgencyException notFound(UUID id) {
        return AgencyException.notFound("session", id);
    }

    private static AgencyException tooLarge(String message) {
        return new AgencyException(
                ErrorType.VALIDATION,
                HttpStatus.CONTENT_TOO_LARGE,
                "context: " + message,
                List.of(new AgencyException.FieldError("context", message)),
                null);
    }
}
