package ai.agency.orchestration.conversation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Conversations and their messages; every query is scoped by the user id. */
@Repository
class ConversationRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ConversationRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(Conversation conversation) {
        jdbc.sql("INSERT INTO conversations (id, user_id, agent_id, title) VALUES (:id, :userId, :agentId, :title)")
                .param("id", conversation.id())
                .param("userId", conversation.userId())
                .param("agentId", conversation.agentId())
                .param("title", conversation.title())
                .update();
    }

    Optional<Conversation> find(UUID id, UUID userId) {
        return jdbc.sql("SELECT * FROM conversations WHERE id = :id AND user_id = :userId")
                .param("id", id)
                .param("userId", userId)
                .query(ConversationRepository::conversation)
                .optional();
    }

    /** Deletes the user's conversation with its messages (cascade); false if there is none. */
    boolean delete(UUID id, UUID userId) {
        return jdbc.sql("DELETE FROM conversations WHERE id = :id AND user_id = :userId")
                        .param("id", id)
                        .param("userId", userId)
                        .update()
                > 0;
    }

    /** Newest first; {@code limit + 1} rows so the caller can tell whether there is a next page. */
    List<Row<Conversation>> list(UUID userId, Long before, int limit) {
        return jdbc.sql("""
                SELECT * FROM conversations WHERE user_id = :userId AND (CAST(:before AS bigint) IS NULL OR seq < :before)
                ORDER BY seq DESC LIMIT :limit
                """)
                .param("userId", userId)
                .param("before", before)
                .param("limit", limit + 1)
                .query((rs, i) -> new Row<>(rs.getLong("seq"), conversation(rs, i)))
                .list();
    }

    /** Oldest first, after {@code after}. */
    List<Row<StoredMessage>> messages(UUID conversationId, UUID userId, Long after, int limit) {
        return jdbc.sql("""
                SELECT * FROM messages WHERE conversation_id = :conversationId AND user_id = :userId
                  AND (CAST(:after AS bigint) IS NULL OR seq > :after)
                ORDER BY seq LIMIT :limit
                """)
                .param("conversationId", conversationId)
                .param("userId", userId)
                .param("after", after)
                .param("limit", limit + 1)
                .query((rs, i) -> new Row<>(rs.getLong("seq"), message(rs)))
                .list();
    }

    /**
     * The most recent {@code count} messages' roles and texts, oldest first, and how many messages the conversation
     * has: one statement (the prompt window of a chat turn). Only the columns the window shows are read, so the JSON
     * columns of the history are neither sent nor parsed.
     */
    RecentMessages recent(UUID conversationId, UUID userId, int count) {
        long[] total = {0};
        List<RecentMessages.Line> lines = new ArrayList<>();
        jdbc.sql("""
                SELECT c.total, m.role, m.content
                FROM (SELECT count(*) AS total FROM messages
                      WHERE conversation_id = :conversationId AND user_id = :userId) c
                LEFT JOIN LATERAL (
                    SELECT seq, role, content FROM messages
                    WHERE conversation_id = :conversationId AND user_id = :userId
                    ORDER BY seq DESC LIMIT :count) m ON true
                ORDER BY m.seq
                """)
                .param("conversationId", conversationId)
                .param("userId", userId)
                .param("count", count)
                .query(rs -> {
                    total[0] = rs.getLong("total");
                    String role = rs.getString("role");
                    if (role != null) {
                        lines.add(new RecentMessages.Line(role, rs.getString("content")));
                    }
                });
        return new RecentMessages(List.copyOf(lines), total[0]);
    }

    /** Role and text only (a running summary reads nothing else). */
    List<RecentMessages.Line> slice(UUID conversationId, UUID userId, long offset, int limit) {
        return jdbc.sql("""
                SELECT role, content FROM messages WHERE conversation_id = :conversationId AND user_id = :userId
                ORDER BY seq OFFSET :offset LIMIT :limit
                """)
                .param("conversationId", conversationId)
                .param("userId", userId)
                .param("offset", offset)
                .param("limit", limit)
                .query((rs, i) -> new RecentMessages.Line(rs.getString("role"), rs.getString("content")))
                .list();
    }

    boolean saveSummary(UUID conversationId, UUID userId, String summary, int covered) {
        return jdbc.sql("""
                        UPDATE conversations SET summary = :summary, summarized_messages = :covered
                        WHERE id = :id AND user_id = :userId AND summarized_messages < :covered
                        """)
                        .param("summary", summary)
                        .param("covered", covered)
                        .param("id", conversationId)
                        .param("userId", userId)
                        .update()
                == 1;
    }

    void insertMessage(UUID userId, StoredMessage message) {
        // one statement, so one commit: the message and the conversation's updated_at
        jdbc.sql("""
                WITH touched AS (
                    UPDATE conversations SET updated_at = now()
                    WHERE id = :conversationId AND user_id = :userId)
                INSERT INTO messages (id, conversation_id, user_id, role, content, tool_calls, memories_used, status,
                                      provider, model, agent_version, experiment_id, usage)
                VALUES (:id, :conversationId, :userId, :role, :content, :toolCalls::jsonb, :memoriesUsed::jsonb,
                        :status, :provider, :model, :agentVersion, :experimentId, :usage::jsonb)
                """)
                .param("id", message.id())
                .param("conversationId", message.conversationId())
                .param("userId", userId)
                .param("role", message.role())
                .param("content", message.content())
                .param("toolCalls", text(message.toolCalls(), "[]"))
                .param("memoriesUsed", text(message.memoriesUsed(), "[]"))
                .param("status", message.status())
                .param("provider", message.provider())
                .param("model", message.model())
                .param("agentVersion", message.agentVersion())
                .param("experimentId", message.experimentId())
                .param("usage", message.usage() == null ? null : json.writeValueAsString(message.usage()))
                .update();
    }

    /** A message of the user's conversation as feedback sees it. */
    record Rated(String role, UUID agentId, Integer agentVersion, UUID experimentId) {}

    /** The role, agent, version and experiment of a message of the user's conversation. */
    Optional<Rated> rated(UUID conversationId, UUID messageId, UUID userId) {
        return jdbc.sql("""
                SELECT m.role, c.agent_id, m.agent_version, m.experiment_id
                FROM messages m JOIN conversations c ON c.id = m.conversation_id AND c.user_id = m.user_id
                WHERE m.id = :id AND m.conversation_id = :conversationId AND m.user_id = :userId
                """)
                .param("id", messageId)
                .param("conversationId", conversationId)
                .param("userId", userId)
                .query((rs, i) -> new Rated(
                        rs.getString("role"),
                        rs.getObject("agent_id", UUID.class),
                        rs.getObject("agent_version", Integer.class),
                        rs.getObject("experiment_id", UUID.class)))
                .optional();
    }

    /** One rating per message: a new one replaces the earlier one. */
    void saveFeedback(UUID messageId, UUID userId, String rating, String comment) {
        jdbc.sql("""
                INSERT INTO message_feedback (message_id, user_id, rating, comment) VALUES (:id, :userId, :rating, :comment)
                ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment,
                    updated_at = now()
                WHERE message_feedback.user_id = excluded.user_id
                """)
                .param("id", messageId)
                .param("userId", userId)
                .param("rating", rating)
                .param("comment", comment)
                .update();
    }

    private String text(JsonNode node, String empty) {
        return node == null ? empty : json.writeValueAsString(node);
    }

    static Conversation conversation(ResultSet rs, int row) throws SQLException {
        return new Conversation(
                rs.getObject("id", UUID.class),
                rs.getObject("user_id", UUID.class),
                rs.getObject("agent_id", UUID.class),
                rs.getString("title"),
                rs.getString("summary"),
                rs.getInt("summarized_messages"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    StoredMessage message(ResultSet rs) throws SQLException {
        String usage = rs.getString("usage");
        return new StoredMessage(
                rs.getObject("id", UUID.class),
                rs.getObject("conversation_id", UUID.class),
                rs.getString("role"),
                rs.getString("content"),
                json.readTree(rs.getString("tool_calls")),
                json.readTree(rs.getString("memories_used")),
                rs.getString("status"),
                rs.getString("provider"),
                rs.getString("model"),
                rs.getObject("agent_version", Integer.class),
                rs.getObject("experiment_id", UUID.class),
                usage == null ? null : json.readTree(usage),
                rs.getTimestamp("created_at").toInstant());
    }

    /** A row with its position, for cursors. */
    record Row<T>(long seq, T value) {}
}
