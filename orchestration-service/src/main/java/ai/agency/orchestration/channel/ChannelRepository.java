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

    /** Deletes the channel with its messages and deliveries (cascade); false if it is not the caller's. */
    boolean deleteChannel(UUID id, UUID userId, boolean admin) {
        return jdbc.sql("DELETE FROM channels WHERE id = :id AND (owner_id = :userId OR :admin)")
                        .param("id", id)
                        .param("userId", userId)
                        .param("admin", admin)
                        .update()
                > 0;
    }

    void insertMessage(
            UUID id, UUID channelId, UUID userId, UUID senderId, String type, JsonNode content, UUID inReplyTo) {
        insertMessage(id, channelId, userId, senderId, type, content, inReplyTo, null);
    }

    /** A message; {@code caller} is the identity its deliveries act as (null for replies, which are not delivered). */
    void insertMessage(
            UUID id,
            UUID channelId,
            UUID userId,
            UUID senderId,
            String type,
            JsonNode content,
            UUID inReplyTo,
            JsonNode caller) {
        jdbc.sql("""
                INSERT INTO channel_messages (id, channel_id, user_id, sender_id, type, content, in_reply_to, caller)
                VALUES (:id, :channelId, :userId, :senderId, :type, :content::jsonb, :inReplyTo, :caller::jsonb)
                """)
                .param("id", id)
                .param("channelId", channelId)
                .param("userId", userId)
                .param("senderId", senderId)
                .param("type", type)
                .param("content", json.writeValueAsString(content))
                .param("inReplyTo", inReplyTo)
                .param("caller", caller == null ? null : json.writeValueAsString(caller))
                .update();
    }

    /** A delivery; a {@code pending} one is claimed by {@code instance} at once (it starts delivering it). */
    void insertDelivery(UUID messageId, UUID recipientId, UUID userId, String status, String instance, long leaseMs) {
        jdbc.sql("""
                INSERT INTO channel_deliveries (message_id, recipient_id, user_id, status, claimed_by, claimed_until)
                VALUES (:messageId, :recipientId, :userId, :status,
                        CASE WHEN :status = 'pending' THEN CAST(:instance AS varchar) END,
                        CASE WHEN :status = 'pending' THEN now() + :leaseMs * interval '1 millisecond' END)
                """)
                .param("messageId", messageId)
                .param("recipientId", recipientId)
                .param("userId", userId)
                .param("status", status)
                .param("instance", instance)
                .param("leaseMs", leaseMs)
                .update();
    }

    /** A pending delivery claimed by this instance, with what it needs to be executed. */
    record PendingDelivery(
            UUID messageId,
            UUID recipientId,
            UUID channelId,
            String channelName,
            UUID ownerId,
            JsonNode content,
            JsonNode caller,
            int attempts) {}

    /** The delivery, if it is still pending and claimed by {@code instance}. */
    Optional<PendingDelivery> pending(UUID messageId, UUID recipientId, String instance) {
        return jdbc.sql("""
                SELECT d.attempts, m.channel_id, m.user_id, m.content, m.caller, c.name
                FROM channel_deliveries d
                JOIN channel_messages m ON m.id = d.message_id
                JOIN channels c ON c.id = m.channel_id
                WHERE d.message_id = :messageId AND d.recipient_id = :recipientId
                  AND d.status = 'pending' AND d.claimed_by = :instance
                """)
                .param("messageId", messageId)
                .param("recipientId", recipientId)
                .param("instance", instance)
                .query((rs, i) -> new PendingDelivery(
                        messageId,
                        recipientId,
                        rs.getObject("channel_id", UUID.class),
                        rs.getString("name"),
                        rs.getObject("user_id", UUID.class),
                        json.readTree(rs.getString("content")),
                        rs.getString("caller") == null ? null : json.readTree(rs.getString("caller")),
                        rs.getInt("attempts")))
                .optional();
    }

    /** A delivery to be made: message, recipient and the user whose channel it is. */
    record Claim(UUID messageId, UUID recipientId, UUID userId) {}

    /**
     * Claims pending deliveries that no live instance holds (never claimed, released by a stopping instance, or whose
     * lease expired), oldest first, skipping rows another instance is claiming at this moment.
     */
    List<Claim> claimAbandoned(String instance, long leaseMs, int limit) {
        return jdbc.sql("""
                UPDATE channel_deliveries d SET claimed_by = :instance,
                       claimed_until = now() + :leaseMs * interval '1 millisecond'
                FROM (SELECT message_id, recipient_id FROM channel_deliveries
                      WHERE status = 'pending' AND (claimed_by IS NULL OR claimed_until < now())
                      ORDER BY updated_at LIMIT :limit FOR UPDATE SKIP LOCKED) free
                WHERE d.message_id = free.message_id AND d.recipient_id = free.recipient_id
                RETURNING d.message_id, d.recipient_id, d.user_id
                """)
                .param("instance", instance)
                .param("leaseMs", leaseMs)
                .param("limit", limit)
                .query((rs, i) -> new Claim(
                        rs.getObject("message_id", UUID.class),
                        rs.getObject("recipient_id", UUID.class),
                        rs.getObject("user_id", UUID.class)))
                .list();
    }

    /** Extends the leases of the deliveries this instance is executing. */
    void renewClaims(String instance, long leaseMs) {
        jdbc.sql("""
                UPDATE channel_deliveries SET claimed_until = now() + :leaseMs * interval '1 millisecond'
                WHERE claimed_by = :instance AND status = 'pending'
                """).param("instance", instance).param("leaseMs", leaseMs).update();
    }

    /** Hands this instance's pending deliveries of one message back: the next sweep of any instance takes them. */
    void releaseClaims(String instance, UUID messageId) {
        jdbc.sql("""
                UPDATE channel_deliveries SET claimed_by = NULL, claimed_until = NULL
                WHERE message_id = :messageId AND claimed_by = :instance AND status = 'pending'
                """).param("instance", instance).param("messageId", messageId).update();
    }

    /** Hands this instance's pending deliveries back (it is stopping): the next sweep of any instance takes them. */
    void releaseClaims(String instance) {
        jdbc.sql("""
                UPDATE channel_deliveries SET claimed_by = NULL, claimed_until = NULL
                WHERE claimed_by = :instance AND status = 'pending'
                """).param("instance", instance).update();
    }

    /**
     * Records the outcome of an attempt of a delivery this instance holds; false when it no longer holds it (then
     * nothing is written). A final outcome ends the claim.
     */
    boolean deliveryOutcome(
            UUID messageId,
            UUID recipientId,
            String instance,
            String status,
            int attempts,
            UUID replyId,
            JsonNode error) {
        return jdbc.sql("""
                UPDATE channel_deliveries SET status = :status, attempts = :attempts, reply_id = :replyId,
                       error = :error::jsonb, updated_at = now(),
                       claimed_by = CASE WHEN :status = 'pending' THEN claimed_by END,
                       claimed_until = CASE WHEN :status = 'pending' THEN claimed_until END
                WHERE message_id = :messageId AND recipient_id = :recipientId
                  AND status = 'pending' AND claimed_by = :instance
                """)
                        .param("messageId", messageId)
                        .param("recipientId", recipientId)
                        .param("instance", instance)
                        .param("status", status)
                        .param("attempts", attempts)
                        .param("replyId", replyId)
                        .param("error", error == null ? null : json.writeValueAsString(error))
                        .update()
                == 1;
    }

    /** Forgets the poster's token once none of the message's deliveries is pending. */
    void forgetTokenWhenDone(UUID messageId) {
        jdbc.sql("""
                UPDATE channel_messages SET caller = caller - 'token'
                WHERE id = :id AND caller ->> 'token' IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM channel_deliveries WHERE message_id = :id AND status = 'pending')
                """).param("id", messageId).update();
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
