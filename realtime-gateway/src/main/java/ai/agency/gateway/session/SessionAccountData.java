package ai.agency.gateway.session;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * A user's collaboration sessions for auth-service's export and erasure jobs: the sessions they created (with their
 * shared context, participants and invitations), their participation in others' sessions (with the context entries
 * they wrote), invitations to and from them, and the spilled realtime events naming them. Erasure deletes their
 * sessions (the other participants hear {@code session.ended} with {@code reason: account_erased}), removes them from others' sessions together with the
 * context entries they wrote (the last writer of a key is its author, {@code context_authors}), and deletes their
 * invitations and events, in one transaction.
 */
@Component
class SessionAccountData implements AccountData {

    static final String SESSIONS = "sessions";
    static final String PARTICIPATIONS = "session_participations";
    static final String INVITATIONS = "session_invitations";
    static final String EVENTS = "realtime_events";

    private final SessionAccounts accounts;
    private final SessionEvents events;
    private final JsonMapper json;
    private final TransactionTemplate readOnly;

    SessionAccountData(
            SessionAccounts accounts, SessionEvents events, JsonMapper json, PlatformTransactionManager transactions) {
        this.accounts = accounts;
        this.events = events;
        this.json = json;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    @Override
    public List<String> kinds() {
        return List.of(SESSIONS, PARTICIPATIONS, INVITATIONS, EVENTS);
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        switch (kind) {
            case SESSIONS ->
                this.<SessionAccounts.OwnedSession>stream(sink, each -> accounts.ownedSessions(userId, each));
            case PARTICIPATIONS ->
                this.<SessionAccounts.Participation>stream(sink, each -> accounts.participations(userId, each));
            case INVITATIONS ->
                this.<SessionAccounts.Invitation>stream(sink, each -> accounts.invitations(userId, each));
            default -> this.<SessionAccounts.StoredEvent>stream(sink, each -> accounts.events(userId, each));
        }
    }

    @Override
    @Transactional
    public Map<String, Long> erase(UUID userId) {
        Map<UUID, List<UUID>> others = accounts.othersInOwnedSessions(userId);
        Map<String, Long> rows = new LinkedHashMap<>();
        rows.put(SESSIONS, (long) accounts.deleteOwnedSessions(userId));
        rows.put("session_context_entries", accounts.scrubContributions(userId));
        rows.put(PARTICIPATIONS, (long) accounts.deleteParticipations(userId));
        rows.put(INVITATIONS, (long) accounts.deleteInvitations(userId));
        rows.put(EVENTS, (long) accounts.deleteEvents(userId));
        // sent when this commits, like the end of a session by its creator, but without naming the erased user
        // (that would leave their id in the others' replay frames)
        others.forEach((session, participants) -> events.publish(
                participants,
                "session.ended",
                json.createObjectNode().put("sessionId", session.toString()).put("reason", "account_erased")));
        return rows;
    }

    /** Writes each row a cursor query gives, in a read-only transaction (the driver fetches in batches only then). */
    private <T> void stream(RecordSink sink, Consumer<Consumer<T>> query) throws IOException {
        try {
            readOnly.executeWithoutResult(status -> query.accept(row -> {
                try {
                    sink.write(row);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
