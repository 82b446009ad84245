package ai.agency.auth.rights;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * What auth-service holds of a user: the profile (never the password hash), the identities of sign-in providers linked
 * to the account, API keys (names, prefixes, scopes; never
 * the key's hash), the audit events about the account and the usage counters. Erasing deletes all of it and the
 * account itself (refresh tokens, keys, tickets, TOTP secrets, reset codes, quota limits, exports, provider identities and their
 * pending sign-ins go with the row);
 * it runs last in an account's erasure, after every other service confirmed.
 */
@Component
class AuthAccountData implements AccountData {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;

    AuthAccountData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<String> kinds() {
        return List.of("profile", "identities", "api_keys", "audit_events", "usage_days");
    }

    @Override
    @Transactional(readOnly = true)
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        String sql = switch (kind) {
            case "profile" ->
                "SELECT id, username, email, roles, profile_role, preferences::text AS preferences, created_at,"
                        + " disabled_at FROM users WHERE id = :u";
            case "identities" ->
                "SELECT id, provider, subject, email, linked_at FROM user_identities WHERE user_id = :u"
                        + " ORDER BY linked_at";
            case "api_keys" ->
                "SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_keys"
                        + " WHERE user_id = :u ORDER BY created_at";
            case "audit_events" ->
                "SELECT id, type, actor_id, at, details::text AS details FROM audit_events WHERE user_id = :u"
                        + " ORDER BY id";
            case "usage_days" ->
                "SELECT day, kind, subject, count, tokens_in, tokens_out, bytes FROM usage_daily"
                        + " WHERE user_id = :u ORDER BY day, kind, subject";
            default -> throw new IllegalArgumentException(kind);
        };
        try {
            jdbc.sql(sql).param("u", userId).withFetchSize(500).query(rs -> {
                Map<String, Object> row = new LinkedHashMap<>();
                int columns = rs.getMetaData().getColumnCount();
                for (int i = 1; i <= columns; i++) {
                    String name = rs.getMetaData().getColumnLabel(i);
                    Object value = rs.getObject(i);
                    if (value instanceof java.sql.Array array) {
                        value = List.of((Object[]) array.getArray());
                    } else if (value instanceof java.sql.Timestamp t) {
                        value = t.toInstant().toString();
                    } else if (value instanceof java.sql.Date d) {
                        value = d.toLocalDate().toString();
                    } else if (value != null && (name.equals("preferences") || name.equals("details"))) {
                        value = JSON.readTree(value.toString());
                    }
                    row.put(camel(name), value);
                }
                try {
                    sink.write(row);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Deletes everything of the user here, the account row last. */
    @Override
    @Transactional
    public Map<String, Long> erase(UUID userId) {
        Map<String, Long> erased = new LinkedHashMap<>();
        String username = jdbc.sql("SELECT username FROM users WHERE id = :u")
                .param("u", userId)
                .query(String.class)
                .optional()
                .orElse(null);
        jdbc.sql("SELECT set_config('agency.purge', 'account-erasure', true)")
                .query()
                .singleValue();
        erased.put("audit_events", count("DELETE FROM audit_events WHERE user_id = :u", userId));
        erased.put(
                "usage_days",
                count("DELETE FROM usage_daily WHERE user_id = :u", userId)
                        + count("DELETE FROM usage_minutes WHERE user_id = :u", userId)
                        + count("DELETE FROM usage_events WHERE user_id = :u", userId));
        erased.put("api_keys", count("DELETE FROM api_keys WHERE user_id = :u", userId));
        if (username != null) {
            jdbc.sql("DELETE FROM login_failures WHERE throttle_key LIKE :prefix")
                    .param(
                            "prefix",
                            "user:"
                                    + username.toLowerCase(java.util.Locale.ROOT)
                                            .replace("%", "\\%")
                                            .replace("_", "\\_")
                                    + "|%")
                    .update();
        }
        erased.put("profile", count("DELETE FROM users WHERE id = :u", userId));
        return erased;
    }

    private long count(String sql, UUID userId) {
        return jdbc.sql(sql).param("u", userId).update();
    }

    private static String camel(String column) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : column.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
