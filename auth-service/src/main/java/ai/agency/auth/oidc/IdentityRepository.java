package ai.agency.auth.oidc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code auth.user_identities}: one (provider, subject) belongs to one account. */
@Repository
class IdentityRepository {

    private final JdbcClient jdbc;

    IdentityRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Identity> find(String provider, String subject) {
        return jdbc.sql("SELECT * FROM user_identities WHERE provider = :p AND subject = :s")
                .param("p", provider)
                .param("s", subject)
                .query(IdentityRepository::map)
                .optional();
    }

    List<Identity> ofUser(UUID userId) {
        return jdbc.sql("SELECT * FROM user_identities WHERE user_id = :u ORDER BY linked_at, id")
                .param("u", userId)
                .query(IdentityRepository::map)
                .list();
    }

    /** Links; false when (provider, subject) is already linked (to this account or another). */
    boolean insert(UUID userId, String provider, String subject, @Nullable String email) {
        return jdbc.sql("""
                        INSERT INTO user_identities (id, user_id, provider, subject, email)
                        VALUES (:id, :u, :p, :s, :e) ON CONFLICT DO NOTHING""")
                        .param("id", UUID.randomUUID())
                        .param("u", userId)
                        .param("p", provider)
                        .param("s", subject)
                        .param("e", email)
                        .update()
                == 1;
    }

    void updateEmail(UUID id, @Nullable String email) {
        jdbc.sql("UPDATE user_identities SET email = :e WHERE id = :id")
                .param("e", email)
                .param("id", id)
                .update();
    }

    /** Unlinks one of the user's identities; false when the user has no such identity. */
    boolean delete(UUID userId, UUID id) {
        return jdbc.sql("DELETE FROM user_identities WHERE id = :id AND user_id = :u")
                        .param("id", id)
                        .param("u", userId)
                        .update()
                == 1;
    }

    private static Identity map(ResultSet rs, int row) throws SQLException {
        return new Identity(
                rs.getObject("id", UUID.class),
                rs.getObject("user_id", UUID.class),
                rs.getString("provider"),
                rs.getString("subject"),
                rs.getString("email"),
                rs.getTimestamp("linked_at").toInstant());
    }
}
