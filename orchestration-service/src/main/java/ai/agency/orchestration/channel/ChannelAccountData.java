package ai.agency.orchestration.channel;

import ai.agency.common.accountdata.AccountData;
import ai.agency.orchestration.AccountExport;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A user's agent channels, the messages posted in them (the agents' replies included) and their deliveries, for the
 * account-data export (never the identity a message's deliveries act with: it holds a token) and erasure.
 */
@Component
@Order(40)
class ChannelAccountData implements AccountData {

    private static final String OWN_MESSAGES = """
            SELECT m.id FROM channel_messages m JOIN channels c ON c.id = m.channel_id
            WHERE c.owner_id = :userId OR m.user_id = :userId
            """;

    private final AccountExport export;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final JsonMapper json;

    ChannelAccountData(AccountExport export, JdbcClient jdbc, TransactionTemplate tx, JsonMapper json) {
        this.export = export;
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    @Override
    public List<String> kinds() {
        return List.of("channels", "channel_messages", "channel_deliveries");
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        switch (kind) {
            case "channels" ->
                export.stream(
                        "SELECT * FROM channels WHERE owner_id = :userId ORDER BY seq", userId, this::channel, sink);
            case "channel_messages" -> export.stream("""
                        SELECT m.* FROM channel_messages m JOIN channels c ON c.id = m.channel_id
                        WHERE c.owner_id = :userId OR m.user_id = :userId ORDER BY m.seq
                        """, userId, this::message, sink);
            case "channel_deliveries" ->
                export.stream(
                        "SELECT * FROM channel_deliveries WHERE message_id IN (" + OWN_MESSAGES
                                + ") ORDER BY updated_at, message_id, recipient_id",
                        userId,
                        this::delivery,
                        sink);
            default -> throw new IllegalArgumentException("not a kind of " + this + ": " + kind);
        }
    }

    @Override
    public Map<String, Long> erase(UUID userId) {
        return tx.execute(s -> {
            Map<String, Long> erased = new LinkedHashMap<>();
            erased.put(
                    "channel_deliveries",
                    delete(
                            "DELETE FROM channel_deliveries WHERE user_id = :userId OR message_id IN (" + OWN_MESSAGES
                                    + ")",
                            userId));
            erased.put(
                    "channel_messages",
                    delete("DELETE FROM channel_messages WHERE id IN (" + OWN_MESSAGES + ")", userId));
            erased.put("channels", delete("DELETE FROM channels WHERE owner_id = :userId", userId));
            return erased;
        });
    }

    private long delete(String sql, UUID userId) {
        return jdbc.sql(sql).param("userId", userId).update();
    }

    private Map<String, Object> channel(ResultSet rs, int row) throws SQLException {
        Map<String, Object> channel = new LinkedHashMap<>();
        channel.put("id", rs.getObject("id", UUID.class));
        channel.put("name", rs.getString("name"));
        channel.put("participants", node(rs.getString("participants")));
        channel.put("createdAt", rs.getTimestamp("created_at").toInstant());
        return channel;
    }

    private Map<String, Object> message(ResultSet rs, int row) throws SQLException {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", rs.getObject("id", UUID.class));
        message.put("channelId", rs.getObject("channel_id", UUID.class));
        message.put("senderId", rs.getObject("sender_id", UUID.class));
        message.put("type", rs.getString("type"));
        message.put("content", node(rs.getString("content")));
        message.put("inReplyTo", rs.getObject("in_reply_to", UUID.class));
        message.put("createdAt", rs.getTimestamp("created_at").toInstant());
        return message;
    }

    private Map<String, Object> delivery(ResultSet rs, int row) throws SQLException {
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("messageId", rs.getObject("message_id", UUID.class));
        delivery.put("recipientId", rs.getObject("recipient_id", UUID.class));
        delivery.put("status", rs.getString("status"));
        delivery.put("attempts", rs.getInt("attempts"));
        delivery.put("replyId", rs.getObject("reply_id", UUID.class));
        delivery.put("error", node(rs.getString("error")));
        delivery.put("updatedAt", rs.getTimestamp("updated_at").toInstant());
        return delivery;
    }

    private JsonNode node(String text) {
        return text == null ? null : json.readTree(text);
    }
}
