package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.memory.memory.ExpiryPurge;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class DeleteMemoryTest extends MemoryApiTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ExpiryPurge expiryPurge;

    record HistoryRow(String event, String oldMemory, String newMemory, UUID userId, UUID actor) {}

    @Test
    void deleteAnswers204AndTheMemoryIsGone() {
        String token = newUser();
        String id = addOk(token, "I am learning the cello");

        Response response = delete("/api/v1/memories/" + id, token);

        assertThat(response.status()).as(response.body()).isEqualTo(204);
        assertProblem(get("/api/v1/memories/" + id, token), 404, "not_found");
        assertThat(ids(search(token, Map.of("query", "I am learning the cello"))))
                .doesNotContain(id);
    }

    @Test
    void deleteLeavesTheEventsInHistoryButNotTheText() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        String id = addOk(token, "My gym is open until 10pm");

        assertThat(delete("/api/v1/memories/" + id, token).status()).isEqualTo(204);

        List<HistoryRow> history = jdbc.sql("SELECT event, old_memory, new_memory, user_id, actor "
                        + "FROM memory.memory_history WHERE memory_id = :m ORDER BY id")
                .param("m", UUID.fromString(id))
                .query((rs, n) -> new HistoryRow(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getObject(4, UUID.class),
                        rs.getObject(5, UUID.class)))
                .list();
        assertThat(history)
                .containsExactly(
                        new HistoryRow("ADD", null, null, user, user),
                        new HistoryRow("DELETE", null, null, user, user));
    }

    @Test
    void deletingTwiceIsNotFoundTheSecondTime() {
        String token = newUser();
        String id = addOk(token, "I collect vinyl records");
        assertThat(delete("/api/v1/memories/" + id, token).status()).isEqualTo(204);

        assertProblem(delete("/api/v1/memories/" + id, token), 404, "not_found");
    }

    @Test
    void aDeletedTextCanBeAddedAgain() {
        String token = newUser();
        String id = addOk(token, "I drink oat milk");
        delete("/api/v1/memories/" + id, token);

        String again = addOk(token, "I drink oat milk");

        assertThat(again).isNotEqualTo(id);
        assertThat(get("/api/v1/memories/" + again, token).status()).isEqualTo(200);
    }

    @Test
    void aDeletedMemoryThatWasEditedLeavesNoneOfItsTexts() {
        String token = newUser();
        String id = addOk(token, Map.of("content", "My locker code is 4711-deleted-marker", "infer", false));
        Response patched = send(
                "PATCH", "/api/v1/memories/" + id, token, "{\"memory\":\"My locker code is 0815-deleted-marker\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);

        assertThat(delete("/api/v1/memories/" + id, token).status()).isEqualTo(204);

        assertThat(events(id)).containsExactly("ADD", "UPDATE", "DELETE");
        assertThat(copiesOf("deleted-marker")).isZero();
    }

    @Test
    void anExpiredMemoryIsPurgedWithoutLeavingItsText() {
        String token = newUser();
        String id = addOk(
                token,
                Map.of(
                        "content",
                        "My passport number is X-expired-marker",
                        "infer",
                        false,
                        "expiresAt",
                        Instant.now().plusSeconds(3600).toString()));
        jdbc.sql("UPDATE memory.memories SET expires_at = now() - interval '1 second' WHERE id = :m")
                .param("m", UUID.fromString(id))
                .update();

        expiryPurge.purge(); // other tests' expired memories may be purged too

        assertThat(jdbc.sql("SELECT count(*) FROM memory.memories WHERE id = :m")
                        .param("m", UUID.fromString(id))
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(events(id)).containsExactly("ADD", "EXPIRE");
        assertThat(copiesOf("expired-marker")).isZero();
    }

    private List<String> events(String memoryId) {
        return jdbc.sql("SELECT event FROM memory.memory_history WHERE memory_id = :m ORDER BY id")
                .param("m", UUID.fromString(memoryId))
                .query(String.class)
                .list();
    }

    /** Rows of memory-service's tables that still hold the text. */
    private long copiesOf(String marker) {
        return jdbc.sql(
                        "SELECT (SELECT count(*) FROM memory.memories WHERE content LIKE :p) "
                                + "+ (SELECT count(*) FROM memory.memory_history WHERE old_memory LIKE :p OR new_memory LIKE :p)")
                .param("p", "%" + marker + "%")
                .query(Long.class)
                .single();
    }
}
