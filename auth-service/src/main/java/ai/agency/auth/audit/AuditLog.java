package ai.agency.auth.audit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * The append-only log of security events (table {@code audit_events}; a trigger refuses updates and deletes).
 * Entries name users by id and carry small details; never passwords, tokens, keys or other secrets.
 */
@Service
public class AuditLog {

    public static final String LOGIN_SUCCESS = "login.success";
    public static final String LOGIN_FAILURE = "login.failure";
    public static final String LOGIN_LOCKED = "login.locked";
    public static final String REAUTH_FAILURE = "reauth.failure";
    public static final String TOKEN_REFRESH = "token.refresh";
    public static final String TOKEN_REUSE = "token.reuse_detected";
    public static final String LOGOUT = "logout";
    public static final String LOGOUT_ALL = "logout.all";
    public static final String PASSWORD_CHANGED = "password.changed";
    public static final String PASSWORD_RESET_ISSUED = "password.reset_issued";
    public static final String PASSWORD_RESET = "password.reset";
    public static final String PASSWORD_RESET_FAILURE = "password.reset_failure";
    public static final String ROLES_CHANGED = "user.roles_changed";
    public static final String USER_DISABLED = "user.disabled";
    public static final String USER_ENABLED = "user.enabled";
    public static final String PROFILE_UPDATED = "user.profile_updated";
    public static final String IDENTITY_LINKED = "identity.linked";
    public static final String IDENTITY_UNLINKED = "identity.unlinked";
    /** An admin set or reset a user's quota limits ({@code details.quotas}: name → limit, "unlimited" or "role"). */
    public static final String QUOTAS_CHANGED = "user.quotas_changed";
    /** An account and its data were erased in every service ({@code details.erasureId}; no personal data). */
    public static final String USER_ERASED = "user.erased";

    public static final String API_KEY_CREATED = "api_key.created";
    public static final String API_KEY_REVOKED = "api_key.revoked";
    public static final String KEY_ROTATED = "signing_key.rotated";
    /** An admin created or changed a feature flag ({@code details}: key, enabled, percentage, roles). */
    public static final String FLAG_CHANGED = "flag.changed";
    /** An admin deleted a feature flag ({@code details}: its last state). */
    public static final String FLAG_DELETED = "flag.deleted";

    public static final String MFA_ENROLMENT_STARTED = "mfa.enrolment_started";
    public static final String MFA_ENABLED = "mfa.enabled";
    public static final String MFA_DISABLED = "mfa.disabled";
    public static final String MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used";
    public static final String MFA_RECOVERY_CODES_REGENERATED = "mfa.recovery_codes_regenerated";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One stored event, as the admin API answers it. */
    public record AuditEvent(
            long id, String type, UUID userId, UUID actorId, Instant at, Map<String, Object> details) {}

    private final JdbcClient jdbc;

    AuditLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Appends an event in the caller's transaction (if any).
     *
     * @param userId the account the event is about (may be null, e.g. a failed login for an unknown name)
     * @param actorId who caused it when that is someone else (an admin), else null
     */
    public void record(String type, @Nullable UUID userId, @Nullable UUID actorId, @Nullable Map<String, ?> details) {
        jdbc.sql("INSERT INTO audit_events (type, user_id, actor_id, details) VALUES (:t, :u, :a, CAST(:d AS jsonb))")
                .param("t", type)
                .param("u", userId)
                .param("a", actorId)
                .param("d", JSON.writeValueAsString(details == null ? Map.of() : details))
                .update();
    }

    public void record(String type, @Nullable UUID userId, Map<String, ?> details) {
        record(type, userId, null, details);
    }

    /** Events newest first, filtered by the non-null arguments; {@code beforeId} continues a previous page. */
    public List<AuditEvent> find(
            @Nullable UUID userId,
            @Nullable String type,
            @Nullable Instant from,
            @Nullable Instant to,
            @Nullable Long beforeId,
            int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_events WHERE true");
        Map<String, Object> params = new LinkedHashMap<>();
        if (userId != null) {
            sql.append(" AND user_id = :userId");
            params.put("userId", userId);
        }
        if (type != null) {
            sql.append(" AND type = :type");
            params.put("type", type);
        }
        if (from != null) {
            sql.append(" AND at >= :from");
            params.put("from", Timestamp.from(from));
        }
        if (to != null) {
            sql.append(" AND at < :to");
            params.put("to", Timestamp.from(to));
        }
        if (beforeId != null) {
            sql.append(" AND id < :before");
            params.put("before", beforeId);
        }
        sql.append(" ORDER BY id DESC LIMIT :limit");
        params.put("limit", limit);
        List<AuditEvent> events = new ArrayList<>();
        jdbc.sql(sql.toString())
                .params(params)
                .query((rs, n) -> new AuditEvent(
                        rs.getLong("id"),
                        rs.getString("type"),
                        rs.getObject("user_id", UUID.class),
                        rs.getObject("actor_id", UUID.class),
                        rs.getTimestamp("at").toInstant(),
                        readDetails(rs.getString("details"))))
                .list()
                .forEach(events::add);
        return events;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readDetails(String json) {
        return JSON.readValue(json, Map.class);
    }
}
