package ai.agency.auth.account;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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
                rs.getTimestamp("created_at").toInstant());
    }
}
