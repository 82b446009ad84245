package ai.agency.tool.execution;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL over {@code tool.idempotency_keys}; every statement names the user id with the key. */
@Repository
class IdempotencyKeys {

    private final JdbcClient jdbc;

    IdempotencyKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A key as stored: its request's fingerprint, and the sealed result once the first call finished. */
    record Stored(String tool, String fingerprint, byte[] result, boolean locked) {}

    /**
     * Takes the key for a new execution, in one statement: inserts it, or takes over a row that expired, or whose
     * first call stopped without a result (its lock ran out: the instance running it died) for the same request.
     * True when this call now holds the key and must execute.
     */
    boolean claim(UUID userId, String key, String tool, String fingerprint, Duration lock, Duration ttl) {
        return jdbc.sql("""
                        INSERT INTO idempotency_keys (user_id, key, tool, fingerprint, locked_until, expires_at)
                        VALUES (:u, :k, :tool, :fp, now() + :lockMs * interval '1 millisecond',
                                now() + :ttlMs * interval '1 millisecond')
                        ON CONFLICT (user_id, key) DO UPDATE
                            SET tool = EXCLUDED.tool, fingerprint = EXCLUDED.fingerprint, result = NULL,
                                locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at,
                                created_at = now()
                            WHERE idempotency_keys.expires_at < now()
                               OR (idempotency_keys.result IS NULL AND idempotency_keys.locked_until < now()
                                   AND idempotency_keys.fingerprint = EXCLUDED.fingerprint)
                        RETURNING true""")
                .param("u", userId)
                .param("k", key)
                .param("tool", tool)
                .param("fp", fingerprint)
                .param("lockMs", lock.toMillis())
                .param("ttlMs", ttl.toMillis())
                .query(Boolean.class)
                .optional()
                .isPresent();
    }

    Optional<Stored> find(UUID userId, String key) {
        return jdbc.sql("""
                        SELECT tool, fingerprint, result, locked_until > now() AS locked FROM idempotency_keys
                        WHERE user_id = :u AND key = :k AND expires_at >= now()""")
                .param("u", userId)
                .param("k", key)
                .query((rs, i) -> new Stored(
                        rs.getString("tool"),
                        rs.getString("fingerprint"),
                        rs.getBytes("result"),
                        rs.getBoolean("locked")))
                .optional();
    }

    /** Stores the result of the execution that holds the key. */
    void finish(UUID userId, String key, String fingerprint, byte[] sealedResult) {
        jdbc.sql("""
                        UPDATE idempotency_keys SET result = :r, locked_until = NULL
                        WHERE user_id = :u AND key = :k AND fingerprint = :fp AND result IS NULL""")
                .param("r", sealedResult)
                .param("u", userId)
                .param("k", key)
                .param("fp", fingerprint)
                .update();
    }

    /** Gives the key back without a result: the call was refused before the tool ran, so a repeat may run it. */
    void release(UUID userId, String key, String fingerprint) {
        jdbc.sql("""
                        DELETE FROM idempotency_keys
                        WHERE user_id = :u AND key = :k AND fingerprint = :fp AND result IS NULL""")
                .param("u", userId)
                .param("k", key)
                .param("fp", fingerprint)
                .update();
    }

    /** A key as exported with the user's account data; {@code sealedResult} is null while its first call runs. */
    record Owned(String key, String tool, byte @Nullable [] sealedResult, Instant createdAt, Instant expiresAt) {}

    /** Streams the user's keys, oldest first, from a cursor (inside a transaction: {@link ExecutionsAccountData}). */
    void forEachOf(UUID userId, java.util.function.Consumer<Owned> consumer) {
        jdbc.sql("SELECT key, tool, result, created_at, expires_at FROM idempotency_keys WHERE user_id = :u "
                        + "ORDER BY created_at, key")
                .withFetchSize(100)
                .param("u", userId)
                .query(rs -> {
                    consumer.accept(new Owned(
                            rs.getString("key"),
                            rs.getString("tool"),
                            rs.getBytes("result"),
                            rs.getTimestamp("created_at").toInstant(),
                            rs.getTimestamp("expires_at").toInstant()));
                });
    }

    /** Deletes every key of the user; how many. */
    int eraseOf(UUID userId) {
        return jdbc.sql("DELETE FROM idempotency_keys WHERE user_id = :u")
                .param("u", userId)
                .update();
    }

    /** Deletes up to {@code limit} expired keys; how many. */
    int deleteExpired(int limit) {
        return jdbc.sql("""
                        DELETE FROM idempotency_keys WHERE ctid IN (
                            SELECT ctid FROM idempotency_keys WHERE expires_at < now() LIMIT :limit)""").param("limit", limit).update();
    }
}
