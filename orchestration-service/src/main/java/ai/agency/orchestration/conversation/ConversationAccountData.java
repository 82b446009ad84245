package ai.agency.orchestration.conversation;

import ai.agency.common.accountdata.AccountData;
import ai.agency.orchestration.AccountExport;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A user's conversations (with their running summaries), every message of them (the user's and the answers they got,
 * with tool calls, memories used and usage) and their ratings of answers, for the account-data export and erasure.
 */
@Component
@Order(50)
class ConversationAccountData implements AccountData {

    private final AccountExport export;
    private final ConversationRepository conversations;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    ConversationAccountData(
            AccountExport export, ConversationRepository conversations, JdbcClient jdbc, TransactionTemplate tx) {
        this.export = export;
        this.conversations = conversations;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    @Override
    public List<String> kinds() {
        return List.of("conversations", "messages", "message_feedback");
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        switch (kind) {
            case "conversations" ->
                export.stream(
                        "SELECT * FROM conversations WHERE user_id = :userId ORDER BY seq",
                        userId,
                        ConversationRepository::conversation,
                        sink);
            case "messages" ->
                export.stream(
                        "SELECT * FROM messages WHERE user_id = :userId ORDER BY seq",
                        userId,
                        (rs, i) -> conversations.message(rs),
                        sink);
            case "message_feedback" ->
                export.stream(
                        "SELECT * FROM message_feedback WHERE user_id = :userId ORDER BY created_at, message_id",
                        userId,
                        (rs, i) -> {
                            Map<String, Object> feedback = new LinkedHashMap<>();
                            feedback.put("messageId", rs.getObject("message_id", UUID.class));
                            feedback.put("rating", rs.getString("rating"));
                            feedback.put("comment", rs.getString("comment"));
                            feedback.put(
                                    "createdAt", rs.getTimestamp("created_at").toInstant());
                            feedback.put(
                                    "updatedAt", rs.getTimestamp("updated_at").toInstant());
                            return feedback;
                        },
                        sink);
            default -> throw new IllegalArgumentException("not a kind of " + this + ": " + kind);
        }
    }

    /** Deletes the ratings, the messages and the conversations of the user (summaries go with them). */
    @Override
    public Map<String, Long> erase(UUID userId) {
        return tx.execute(s -> {
            Map<String, Long> erased = new LinkedHashMap<>();
            erased.put("message_feedback", delete("""
                    DELETE FROM message_feedback WHERE user_id = :userId
                       OR message_id IN (SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
                                         WHERE c.user_id = :userId)
                    """, userId));
            erased.put("messages", delete("""
                    DELETE FROM messages WHERE user_id = :userId
                       OR conversation_id IN (SELECT id FROM conversations WHERE user_id = :userId)
                    """, userId));
            erased.put("conversations", delete("DELETE FROM conversations WHERE user_id = :userId", userId));
            return erased;
        });
    }

    private long delete(String sql, UUID userId) {
        return jdbc.sql(sql).param("userId", userId).update();
    }
}
