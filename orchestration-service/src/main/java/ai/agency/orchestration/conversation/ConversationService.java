package ai.agency.orchestration.conversation;

import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.agent.Agent;
import ai.agency.orchestration.agent.AgentService;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** A user's conversations and their persisted messages. */
@Service
public class ConversationService {

    private final ConversationRepository conversations;
    private final AgentService agents;

    ConversationService(ConversationRepository conversations, AgentService agents) {
        this.conversations = conversations;
        this.agents = agents;
    }

    /** A new conversation of the caller with the agent (the default assistant when null). */
    public Conversation create(Caller caller, UUID agentId, String title) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot start conversations");
        }
        Agent agent = agents.resolveForRequest(caller, agentId);
        UUID id = UUID.randomUUID();
        conversations.insert(new Conversation(id, caller.id(), agent.id(), title, null, 0, null, null));
        return get(caller, id);
    }

    /** The caller's conversation; someone else's is 404, as if it did not exist. */
    public Conversation get(Caller caller, UUID id) {
        return conversations.find(id, caller.id()).orElseThrow(() -> AgencyException.notFound("Conversation", id));
    }

    /**
     * Deletes the caller's conversation and all its messages; someone else's is 404. A turn still running on it
     * cannot store its answer (the conversation is gone).
     */
    void delete(Caller caller, UUID id) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot delete conversations");
        }
        if (!conversations.delete(id, caller.id())) {
            throw AgencyException.notFound("Conversation", id);
        }
    }

    Page<Conversation> list(Caller caller, Integer limit, String cursor) {
        int size = Page.limit(limit);
        return page(conversations.list(caller.id(), Cursor.seq(cursor), size), size);
    }

    Page<StoredMessage> messages(Caller caller, UUID conversationId, Integer limit, String cursor) {
        get(caller, conversationId);
        int size = Page.limit(limit);
        return page(conversations.messages(conversationId, caller.id(), Cursor.seq(cursor), size), size);
    }

    /** The last {@code count} messages of the conversation (oldest first) and how many it has, in one statement. */
    public RecentMessages recent(Caller caller, UUID conversationId, int count) {
        return conversations.recent(conversationId, caller.id(), count);
    }

    /**
     * Role and text of {@code limit} messages of the conversation from the {@code offset}-th (0 = the first), oldest
     * first.
     */
    public List<RecentMessages.Line> slice(Caller caller, UUID conversationId, long offset, int limit) {
        return conversations.slice(conversationId, caller.id(), offset, limit);
    }

    /** Keeps a running summary of the first {@code covered} messages, unless a newer one is already kept. */
    public boolean saveSummary(Caller caller, UUID conversationId, String summary, int covered) {
        return conversations.saveSummary(conversationId, caller.id(), summary, covered);
    }

    public void append(Caller caller, StoredMessage message) {
        conversations.insertMessage(caller.id(), message);
    }

    private static <T> Page<T> page(List<ConversationRepository.Row<T>> rows, int size) {
        return Page.of(rows, size, ConversationRepository.Row::value, r -> Cursor.of(r.seq()));
    }
}
