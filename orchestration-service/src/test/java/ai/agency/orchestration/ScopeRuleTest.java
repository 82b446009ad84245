package ai.agency.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Scopes narrow roles here too — a leaked read-only key of a user cannot chat, run or change anything. */
class ScopeRuleTest extends OrchestrationApiTest {

    @Test
    void aReadOnlyTokenCannotChatOrCreateOrRunAnything() {
        UUID user = UUID.randomUUID();
        String owner = jwts.user(user);
        String conversation = newConversation(owner);
        String readOnly = jwts.withScopes(user, List.of("user"), List.of("read"));

        for (String[] write : new String[][] {
            {"/api/v1/conversations", "{\"title\":\"x\"}"},
            {"/api/v1/conversations/" + conversation + "/messages", "{\"content\":\"hello\"}"},
            {"/api/v1/agents", "{\"name\":\"a\",\"systemPrompt\":\"x\"}"},
            {"/api/v1/workflows", "{\"name\":\"w\",\"steps\":[]}"},
            {"/api/v1/channels", "{\"name\":\"c\",\"participants\":[]}"}
        }) {
            assertProblem(send("POST", write[0], readOnly, JSON.readTree(write[1])), 403, "authorization");
        }
        assertThat(get("/api/v1/conversations", readOnly).status()).isEqualTo(200);
        assertThat(get("/api/v1/conversations/" + conversation + "/messages", owner)
                        .body())
                .doesNotContain("hello");
    }

    @Test
    void aTokenWithoutDeleteCannotDeleteAConversation() {
        UUID user = UUID.randomUUID();
        String conversation = newConversation(jwts.user(user));
        String writer = jwts.withScopes(user, List.of("user"), List.of("read", "write"));

        assertProblem(send("DELETE", "/api/v1/conversations/" + conversation, writer, null), 403, "authorization");

        assertThat(get("/api/v1/conversations", jwts.user(user)).body()).contains(conversation);
    }
}
