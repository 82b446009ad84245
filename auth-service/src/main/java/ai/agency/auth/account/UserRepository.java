package ai.agency.auth.account;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class UserRepository {

    private final JdbcClient jdbc;

    UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<UserAccount> findByUsername(String username) {
        return jdbc.sql("SELECT * FROM users WHERE lower(username) = lower(:username)")
                .param("username", username)
                .query(UserRepository::map)
                .optional();
    }

    public Optional<UserAccount> findById(UUID id) {
        return jdbc.sql("SELECT * FROM users WHERE id = :id")
                .param("id", id)
                .query(UserRepository::map)
                .optional();
    }

    public boolean existsByUsernameOrEmail(String username, String email) {
        return jdbc.sql("SELECT count(*) FROM users WHERE lower(username) = lower(:u) OR lower(email) = lower(:e)")
                        .param("u", username)
                        .param("e", email)
                        .query(Long.class)
                        .single()
                > 0;
    }

    public boolean anyAdmin() {
        return jdbc.sql("SELECT count(*) FROM users WHERE 'admin' = ANY(roles)")
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** Inserts the account; false when the username or email is taken (a concurrent register lost the race). */
    public boolean insert(UUID id, String username, String email, String passwordHash, List<String> roles) {
        return jdbc.sql("""
                        INSERT INTO users (id, username, email, password_hash, roles)
                        VALUES (:id, :username, :email, :hash, :roles)
                        ON CONFLICT DO NOTHING""")
                        .param("id", id)
                        .param("username", username)
                        .param("email", email)
                        .param("hash", passwordHash)
                        .param("roles", roles.toArray(String[]::new))
                        .update()
                == 1;
    }

    /** Inserts an account without a password (created by a provider sign-in); false when the name or email is taken. */
    public boolean insertWithoutPassword(UUID id, String username, String email, List<String> roles) {
        return jdbc.sql("""
                        INSERT INTO users (id, username, email, password_hash, roles)
                        VALUES (:id, :username, :email, NULL, :roles)
                        ON CONFLICT DO NOTHING""")
                        .param("id", id)
                        .param("username", username)
                        .param("email", email)
                        .param("roles", roles.toArray(String[]::new))
                        .update()
                == 1;
    }

    public Optional<UserAccount> findByEmail(String email) {
        return jdbc.sql("SELECT * FROM users WHERE lower(email) = lower(:email)")
                .param("email", email)
                .query(UserRepository::map)
                .optional();
    }

    public boolean usernameTaken(String username) {
        return jdbc.sql("SELECT count(*) FROM users WHERE lower(username) = lower(:u)")
                        .param("u", username)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** Accounts in creation order, after the given position (keyset paging). */
    public List<UserAccount> page(@Nullable Instant afterCreatedAt, @Nullable UUID afterId, int limit) {
        if (afterCreatedAt == null) {
            return jdbc.sql("SELECT * FROM users ORDER BY created_at, id LIMIT :limit")
                    .param("limit", limit)
                    .query(UserRepository::map)
                    .list();
        }
        return jdbc.sql("SELECT * FROM users WHERE (created_at, id) > (:at, :id) ORDER BY created_at, id LIMIT :limit")
                .param("at", Timestamp.from(afterCreatedAt))
                .param("id", afterId)
                .param("limit", limit)
                .query(UserRepository::map)
                .list();
    }

    public boolean setRoles(UUID id, List<String> roles) {
        return jdbc.sql("UPDATE users SET roles = :roles, updated_at = now() WHERE id = :id")
                        .param("roles", roles.toArray(String[]::new))
                        .param("id", id)
                        .update()
                == 1;
    }

    /** Whether an enabled admin other than {@code id} exists. */
    public boolean otherActiveAdminExists(UUID id) {
        return jdbc.sql("SELECT count(*) FROM users WHERE 'admin' = ANY(roles) AND disabled_at IS NULL AND id <> :id")
                        .param("id", id)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /** True while an erasure of the account runs (it must not be enabled again meanwhile). */
    public boolean beingErased(UUID id) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM account_erasures WHERE user_id = :id AND status = 'running')")
                .param("id", id)
                .query(Boolean.class)
                .single();
    }

    public boolean setDisabled(UUID id, boolean disabled) {
        String sql = disabled
                ? "UPDATE users SET disabled_at = coalesce(disabled_at, now()), updated_at = now() WHERE id = :id"
                : "UPDATE users SET disabled_at = NULL, updated_at = now() WHERE id = :id";
        return jdbc.sql(sql).param("id", id).update() == 1;
    }

    public boolean isDisabled(UUID id) {
        return jdbc.sql("SELECT count(*) FROM users WHERE id = :id AND disabled_at IS NOT NULL")
                        .param("id", id)
                        .query(Long.class)
                        .single()
                > 0;
    }

    public boolean emailTakenByOther(String email, UUID id) {
        return jdbc.sql("SELECT count(*) FROM users WHERE lower(email) = lower(:e) AND id <> :id")
                        .param("e", email)
                        .param("id", id)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /**
     * Updates a profile: email and profile role when given (an empty profile role clears it); merges
     * {@code preferencesToSet} (a JSON object) into the stored preferences, then removes {@code preferencesToDelete}.
     * False when the new email is taken.
     */
    public boolean updateProfile(
            UUID id,
            @Nullable String email,
            @Nullable String profileRole,
            boolean clearProfileRole,
            String preferencesToSet,
            List<String> preferencesToDelete) {
        try {
            jdbc.sql("UPDATE users SET email = coalesce(:email, email), "
                            + "profile_role = CASE WHEN :clear THEN NULL ELSE coalesce(:role, profile_role) END, "
                            + "preferences = (preferences || CAST(:set AS jsonb)) - CAST(:del AS text[]), "
                            + "updated_at = now() WHERE id = :id")
                    .param("email", email)
                    .param("role", profileRole)
                    .param("clear", clearProfileRole)
                    .param("set", preferencesToSet)
                    .param("del", preferencesToDelete.toArray(String[]::new))
                    .param("id", id)
                    .update();
            return true;
        } catch (org.springframework.dao.DuplicateKeyException e) {
            return false;
        }
    }

    /** Replaces the password hash; false when there is no such user. */
    public boolean setPasswordHash(UUID id, String hash) {
        return jdbc.sql("UPDATE users SET password_hash = :h WHERE id = :id")
                        .param("h", hash)
                        .param("id", id)
                        .update()
                > 0;
    }

    private static UserAccount map(ResultSet rs, int row) throws SQLException {
        Array roles = rs.getArray("roles");
        return new UserAccount(
                rs.getObject("id", UUID.class),
                rs.getString("username"),
                rs.getString("email"),
                rs.getString("password_hash"),
                Arrays.asList((String[]) roles.getArray()),
                rs.getString("profile_role"),
                rs.getString("preferences"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("disabled_at") == null
                        ? null
                        : rs.getTimestamp("disabled_at").toInstant(),
                rs.getInt("token_version"));
    }
}
