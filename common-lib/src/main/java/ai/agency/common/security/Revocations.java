package ai.agency.common.security;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * What this service knows of revoked credentials, as published by auth-service's revocation feed: per user the
 * lowest token version still valid (a password change, "log out everywhere", a role change or a disable raises it,
 * so every token issued before carries a lower {@code ver}), and the ids of deleted API keys (a token exchanged for
 * one, or redeemed from a ticket it paid for, carries {@code api_key_id}). Filled by {@link RevocationFeed}; read on
 * every request by {@link TokenRules}. Until the feed was read once, every token counts as revoked (fail closed).
 */
public final class Revocations {

    private static final Logger log = LoggerFactory.getLogger(Revocations.class);

    /** One entry of the feed: either a user's new minimum token version, or a revoked API key (of a user). */
    public record Revocation(
            long id,
            @Nullable UUID userId,
            int minVersion,
            @Nullable UUID apiKeyId,
            @Nullable String reason) {

        public boolean revokesApiKey() {
            return apiKeyId != null;
        }
    }

    private final Map<UUID, Integer> minVersions = new ConcurrentHashMap<>();
    private final Set<UUID> revokedKeys = ConcurrentHashMap.newKeySet();
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    private volatile long lastId;
    private volatile boolean ready;

    /** A state that knows of no revocation and is ready: for services and tests that run without a feed. */
    public static Revocations none() {
        Revocations revocations = new Revocations();
        revocations.markReady();
        return revocations;
    }

    /** True when a token with these claims was revoked (or the feed was never read yet). */
    public boolean isRevoked(@Nullable UUID userId, long version, @Nullable UUID apiKeyId) {
        if (!ready) {
            return true;
        }
        if (apiKeyId != null && revokedKeys.contains(apiKeyId)) {
            return true;
        }
        Integer min = userId == null ? null : minVersions.get(userId);
        return min != null && version < min;
    }

    public boolean isRevoked(Jwt jwt) {
        return isRevoked(userIdOf(jwt), versionOf(jwt), apiKeyIdOf(jwt));
    }

    /** Applies feed entries in order; entries at or below the last applied id are ignored. */
    public synchronized void apply(List<Revocation> entries) {
        for (Revocation r : entries) {
            if (r.id() <= lastId) {
                continue;
            }
            if (r.apiKeyId() != null) {
                revokedKeys.add(r.apiKeyId());
            }
            if (r.userId() != null && r.minVersion() > 0) {
                minVersions.merge(r.userId(), r.minVersion(), Math::max);
            }
            lastId = r.id();
            for (Consumer<Revocation> listener : listeners) {
                try {
                    listener.accept(r);
                } catch (RuntimeException e) {
                    log.warn("A revocation listener failed on entry {}: {}", r.id(), e.toString());
                }
            }
        }
    }

    /** Called by the feed once it has read everything published so far. */
    public void markReady() {
        ready = true;
    }

    public boolean ready() {
        return ready;
    }

    /** The id of the last entry applied (0: none); the feed reads on from here. */
    public long lastId() {
        return lastId;
    }

    /** Runs {@code listener} for every entry applied from now on (on the feed's thread: keep it short). */
    public void onRevocation(Consumer<Revocation> listener) {
        listeners.add(listener);
    }

    public static @Nullable UUID userIdOf(Jwt jwt) {
        try {
            return jwt.getSubject() == null ? null : UUID.fromString(jwt.getSubject());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The token's {@code ver} claim (0 when absent). */
    public static long versionOf(Jwt jwt) {
        Object ver = jwt.getClaims().get("ver");
        if (ver instanceof Number n) {
            return n.longValue();
        }
        if (ver instanceof String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    /** The token's {@code api_key_id} claim, or null. */
    public static @Nullable UUID apiKeyIdOf(Jwt jwt) {
        Object id = jwt.getClaims().get("api_key_id");
        if (id == null) {
            return null;
        }
        try {
            return UUID.fromString(id.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
