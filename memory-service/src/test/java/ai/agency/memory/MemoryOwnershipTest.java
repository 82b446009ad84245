package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class MemoryOwnershipTest extends MemoryApiTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void anotherUsersMemoryIsNotFound() {
        String alice = newUser();
        String id = addOk(alice, "My locker combination is 12-34-56");

        JsonNode problem = assertProblem(get("/api/v1/memories/" + id, newUser()), 404, "not_found");

        assertThat(problem.get("detail").asString()).doesNotContain("12-34-56");
        assertThat(problem.get("instance").asString()).isEqualTo("/api/v1/memories/" + id);
    }

    @Test
    void deletingAnotherUsersMemoryIsNotFoundAndLeavesItAlone() {
        String alice = newUser();
        String id = addOk(alice, "I park on level 3");

        assertProblem(delete("/api/v1/memories/" + id, newUser()), 404, "not_found");

        Response stillThere = get("/api/v1/memories/" + id, alice);
        assertThat(stillThere.status()).isEqualTo(200);
        assertThat(stillThere.json().get("memory").asString()).isEqualTo("I park on level 3");
        assertThat(jdbc.sql("SELECT count(*) FROM memory.memory_history WHERE memory_id = :m AND event = 'DELETE'")
                        .param("m", UUID.fromString(id))
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void anUnknownIdIsNotFound() {
        assertProblem(get("/api/v1/memories/" + UUID.randomUUID(), newUser()), 404, "not_found");
        assertProblem(delete("/api/v1/memories/" + UUID.randomUUID(), newUser()), 404, "not_found");
    }
}
