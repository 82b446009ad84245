package ai.agency.orchestration.channel;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Channels, their messages and the delivery of each message to each recipient; scoped by the owning user. */
@Repository
class ChannelRepository {

    private static final TypeReference<List<UUID>> IDS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ChannelRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A channel: its owner and participant agents. */
    record Channel(UUID id, UUID ownerId, String name, List<UUID> participants) {}

    /** A delivery of a message to one recipient: pending | delivered | failed | skipped. */
    record Delivery(UUID recipientId, String status, int attempts, UUID replyId, JsonNode error) {}

    /** A message with its deliveries. */
    record Message(
            UUID id,
            UUID channelId,
            UUID senderId,
            String type,
            JsonNode content,
            UUID inReplyTo,
            java.time.Instant createdAt,
            List<Delivery> deliveries) {}

    void insertChannel(Channel channel) {
        jdbc.sql("INSERT INTO channels (id, owner_id, name, participants) VALUES (:id, :owner, :name, :p::jsonb)")
                .param("id", channel.id())
                .param("owner", channel.ownerId())
                .param("name", channel.name())
                .param("p", json.writeValueAsString(channel.participants()))
                .update();
    }

    Optional<Channel> findChannel(UUID id, UUID userId, boolean admin) {
        return jdbc.sql("SELECT * FROM channels WHERE id = :id AND (owner_id = :userId OR :admin)")
                .param("id", id)
                .param("userId", userId)
                .param("admin", admin)
                .query((rs, i) -> new Channel(
                        rs.getObject("id", UUID.class),
                        rs.getObject("owner_id", UUID.class),
                        rs.getString("name"),
                        json.readValue(rs.getString("participants"), IDS)))
                .optional();
    }

    void insertMessage(
            UUID id, UUID channelId, UUID userId, UUID senderId, String type, JsonNode content, UUID inReplyTo) {
        jdbc.sql("""
                INSERT INTO channel_messages (id, channel_id, user_id, sender_id, type, content, in_reply_to)
                VALUES (:id, :channelId, :userId, :senderId, :type, :content::jsonb, :inReplyTo)
                """)
                .param("id", id)
                .param("channelId", channelId)
                .param("userId", userId)
                .param("senderId", senderId)
                .param("type", type)
                .param("content", json.writeValueAsString(content))
                .param("inReplyTo", inReplyTo)
                .update();
    }

    void insertDelivery(UUID messageId, UUID recipientId, UUID userId, String status) {
        jdbc.sql("""
                INSERT INTO channel_deliveries (message_id, recipient_id, user_id, status)
                VALUES (:messageId, :recipientId, :userId, :status)
                """)
                .param("messageId", messageId)
                .param("recipientId", recipientId)
                .param("userId", userId)
                .param("status", status)
                .update();
    }

    void deliveryOutcome(UUID messageId, UUID recipientId, String status, int attempts, UUID replyId, JsonNode error) {
        jdbc.sql("""
                UPDATE channel_deliveries SET status = :status, attempts = :attempts, reply_id = :replyId,
                       error = :error::jsonb, updated_at = now()
                WHERE message_id = :messageId AND recipient_id = :recipientId
                """)
                .param("messageId", messageId)
                .param("recipientId", recipientId)
                .param("status", status)
                .param("attempts", attempts)
                .param("replyId", replyId)
                .param("error", error == null ? null : json.writeValueAsString(error))
                .update();
    }

    /** The channel's messages, oldest first, after the cursor; one more than {@code limit}. */
    List<Row> messages(UUID channelId, UUID userId, Long after, int limit) {
        List<Row> rows = jdbc.sql("""
                SELECT * FROM channel_messages WHERE channel_id = :channelId AND user_id = :userId
                  AND (CAST(:after AS bigint) IS NULL OR seq > :after)
                ORDER BY seq LIMIT :limit
                """)
                .param("channelId", channelId)
                .param("userId", userId)
                .param("after", after)
                .param("limit", limit + 1)
                .query((rs, i) -> new Row(
                        rs.getLong("seq"),
                        new Message(
                                rs.getObject("id", UUID.class),
                                rs.getObject("channel_id", UUID.class),
                                rs.getObject("sender_id", UUID.class),
                                rs.getString("type"),
                                json.readTree(rs.getString("content")),
                                rs.getObject("in_reply_to", UUID.class),
                                rs.getTimestamp("created_at").toInstant(),
                                List.of())))
                .list();
        return rows.stream()
                .map(r -> new Row(
                        r.seq(),
                        new Message(
                                r.message().id(),
                                r.message().channelId(),
                                r.message().senderId(),
                                r.message().type(),
                                r.message().content(),
                                r.message().inReplyTo(),
                                r.message().createdAt(),
                                deliveries(r.message().id(), userId))))
                .toList();
    }

    private List<Delivery> deliveries(UUID messageId, UUID userId) {
        return jdbc.sql("""
                SELECT * FROM channel_deliveries WHERE message_id = :messageId AND user_id = :userId
                ORDER BY recipient_id
                """)
                .param("messageId", messageId)
                .param("userId", userId)
                .query((rs, i) -> new Delivery(
                        rs.getObject("recipient_id", UUID.class),
                        rs.getString("status"),
                        rs.getInt("attempts"),
                        rs.getObject("reply_id", UUID.class),
                        rs.getString("error") == null ? null : json.readTree(rs.getString("error"))))
                .list();
    }

    /** A message with its position, for cursors. */
    record Row(long seq, Message message) {}
}
