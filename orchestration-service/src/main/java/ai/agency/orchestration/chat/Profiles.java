package ai.agency.orchestration.chat;

import ai.agency.common.client.auth.AuthClient;
import ai.agency.common.client.auth.UserProfile;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * The caller's profile for personalisation: auth-service's {@code GET /api/v1/users/me} with the caller's own token,
 * reused for {@code agency.orchestration.chat.profile-cache-ttl}. When auth-service cannot be asked the turn goes on
 * without a profile (and asks again next turn).
 */
@Component
class Profiles {

    private static final Logger log = LoggerFactory.getLogger(Profiles.class);
    private static final int MAX_CACHED = 10_000;

    /** What personalises a turn; both may be absent. */
    record Profile(String profileRole, JsonNode preferences) {

        static final Profile NONE = new Profile(null, null);

        boolean isEmpty() {
            return (profileRole == null || profileRole.isBlank())
                    && (preferences == null || !preferences.isObject() || preferences.isEmpty());
        }
    }

    private record Cached(Profile profile, Instant until) {}

    private final AuthClient auth;
    private final ChatProperties properties;
    private final Map<UUID, Cached> cache = new ConcurrentHashMap<>();

    Profiles(AuthClient auth, ChatProperties properties) {
        this.auth = auth;
        this.properties = properties;
    }

    Profile of(Caller caller) {
        if (!properties.personalize()) {
            return Profile.NONE;
        }
        Cached cached = cache.get(caller.id());
        if (cached != null && cached.until().isAfter(Instant.now())) {
            return cached.profile();
        }
        Profile profile;
        try {
            UserProfile me = auth.me("Bearer " + caller.token());
            JsonNode preferences = me.preferences() != null && me.preferences().isObject() ? me.preferences() : null;
            profile = new Profile(me.profileRole(), preferences);
        } catch (RuntimeException e) {
            ErrorType type = ErrorClassifier.classify(e);
            if (type != ErrorType.NOT_FOUND) {
                log.warn("profile lookup failed ({}); answering without personalisation", type.code());
                return Profile.NONE;
            }
            profile = Profile.NONE; // a caller auth-service has no profile for (e.g. an API key's service user)
        }
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(caller.id(), new Cached(profile, Instant.now().plus(properties.profileCacheTtl())));
        return profile;
    }
}
