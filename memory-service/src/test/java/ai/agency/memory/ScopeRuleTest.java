package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Scopes narrow roles here too (a leaked read-only API key of a user, as auth-service mints it). */
class ScopeRuleTest extends MemoryApiTest {

    @Test
    void aReadOnlyTokenOfAUserCannotAddChangeOrEraseMemories() {
        UUID user = UUID.randomUUID();
        String owner = jwts.user(user);
        String id = addOk(owner, "I like green tea");
        String readOnly = jwts.withScopes(user, List.of("user"), List.of("read"));

        assertProblem(add(readOnly, Map.of("content", "I like coffee", "infer", false)), 403, "authorization");
        assertProblem(
                send("PATCH", "/api/v1/memories/" + id, readOnly, "{\"memory\":\"I hate tea\"}"), 403, "authorization");
        assertProblem(delete("/api/v1/memories/" + id, readOnly), 403, "authorization");
        assertProblem(delete("/api/v1/memories", readOnly), 403, "authorization");

        assertThat(get("/api/v1/memories/" + id, readOnly).json().get("memory").asString())
                .isEqualTo("I like green tea");
        assertThat(post("/api/v1/memories/search", readOnly, Map.of("query", "tea"))
                        .status())
                .as("a search only reads")
                .isEqualTo(200);
        assertThat(get("/api/v1/memories", owner).json().get("items").size()).isEqualTo(1);
    }

    @Test
    void aWriteTokenWithoutDeleteCannotErase() {
        UUID user = UUID.randomUUID();
        String id = addOk(jwts.user(user), "I like green tea");
        String writer = jwts.withScopes(user, List.of("user"), List.of("read", "write"));

        assertProblem(delete("/api/v1/memories/" + id, writer), 403, "authorization");
        assertThat(add(writer, Map.of("content", "I like coffee", "infer", false))
                        .status())
                .isEqualTo(201);
    }
}
