package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AuthenticationTest extends MemoryApiTest {

    @Test
    void noTokenIsUnauthenticated() {
        JsonNode problem = assertProblem(add(null, Map.of("content", "I like jazz")), 401, "authentication");

        assertThat(problem.get("instance").asString()).isEqualTo("/api/v1/memories");
        assertProblem(search(null, Map.of("query", "jazz")), 401, "authentication");
        assertProblem(get("/api/v1/memories/" + UUID.randomUUID(), null), 401, "authentication");
    }

    @Test
    void aTokenSignedByAForeignKeyIsUnauthenticated() {
        String forged = jwts.foreign().user(UUID.randomUUID());

        assertProblem(add(forged, Map.of("content", "I like jazz")), 401, "authentication");
        assertProblem(search(forged, Map.of("query", "jazz")), 401, "authentication");
    }

    @Test
    void aForeignTokenCannotReadARealUsersMemory() {
        UUID user = UUID.randomUUID();
        String id = addOk(jwts.user(user), "My wifi password is hunter2");

        assertProblem(get("/api/v1/memories/" + id, jwts.foreign().user(user)), 401, "authentication");
    }

    @Test
    void aGarbageTokenIsUnauthenticated() {
        assertProblem(add("garbage", Map.of("content", "I like jazz")), 401, "authentication");
    }

    @Test
    void anExpiredTokenIsUnauthenticated() {
        String expired = jwts.token(UUID.randomUUID(), java.util.List.of("user"), java.time.Duration.ofMinutes(-10));

        assertProblem(add(expired, Map.of("content", "I like jazz")), 401, "authentication");
    }
}
