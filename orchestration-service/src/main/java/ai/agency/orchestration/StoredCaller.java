package ai.agency.orchestration;

import ai.agency.common.security.Caller;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The identity that work outliving a request acts as (a workflow run, a channel message's deliveries), stored as
 * JSON {@code {id, username, token, roles}} with the work and turned back into a {@link Caller} when it runs.
 */
public final class StoredCaller {

    private StoredCaller() {}

    /** The caller as stored: id, username, roles and the token of the request that started the work. */
    public static ObjectNode toJson(Caller caller, JsonMapper json) {
        ObjectNode identity = json.createObjectNode()
                .put("id", caller.id().toString())
                .put("username", caller.username())
                .put("token", caller.token());
        caller.roles().forEach(identity.putArray("roles")::add);
        return identity;
    }

    /** The stored identity acting with {@code token} (the stored one, or a newer credential for it). */
    public static Caller fromJson(JsonNode identity, String token) {
        Set<String> roles = new HashSet<>();
        identity.path("roles").forEach(r -> roles.add(r.asString()));
        return new Caller(
                UUID.fromString(identity.path("id").asString()),
                identity.path("username").asString(null),
                roles,
                Set.of(),
                token);
    }
}
