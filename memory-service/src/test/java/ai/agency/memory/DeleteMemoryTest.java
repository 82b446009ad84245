package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class DeleteMemoryTest extends MemoryApiTest {

    @Autowired
    JdbcClient jdbc;

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
    void deleteLeavesAHistoryRow() {
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
                        new HistoryRow("ADD", null, "My gym is open until 10pm", user, user),
                        new HistoryRow("DELETE", "My gym is open until 10pm", null, user, user));
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
}
