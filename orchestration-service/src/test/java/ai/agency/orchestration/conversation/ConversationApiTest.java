package ai.agency.orchestration.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class ConversationApiTest extends OrchestrationApiTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aNewConversationUsesTheDefaultAssistant() {
        String token = newUser();
        Response created = post("/api/v1/conversations", token, Map.of("title", "hello"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("agentId").asString()).isEqualTo("00000000-0000-0000-0000-000000000001");
        assertThat(created.json().get("createdAt").asString()).isNotBlank();
        assertThat(created.json().has("userId")).isFalse();
    }

    @Test
    void anotherUsersConversationIsNotFound() {
        String owner = newUser();
        String conversation = newConversation(owner);
        chat(conversation, owner, "What is 1 + 1?");
        String stranger = newUser();
        assertProblem(get("/api/v1/conversations/" + conversation, stranger), 404, "not_found");
        assertProblem(get("/api/v1/conversations/" + conversation + "/messages", stranger), 404, "not_found");
        assertProblem(
                post("/api/v1/conversations/" + conversation + "/messages", stranger, Map.of("content", "hi")),
                404,
                "not_found");
        assertThat(get("/api/v1/conversations", stranger).json().get("items")).isEmpty();
    }

    @Test
    void badInputIsRefusedWithAProblem() {
        String token = newUser();
        String conversation = newConversation(token);
        String path = "/api/v1/conversations/" + conversation + "/messages";
        JsonNode empty = assertProblem(post(path, token, Map.of("content", "  ")), 400, "validation");
        assertThat(empty.get("errors").get(0).get("field").asString()).isEqualTo("content");
        JsonNode tooLong = assertProblem(post(path, token, Map.of("content", "x".repeat(2001))), 400, "validation");
        assertThat(tooLong.get("errors").get(0).get("field").asString()).isEqualTo("content");
        JsonNode unknownAgent = assertProblem(
                post(
                        "/api/v1/conversations",
                        token,
                        Map.of("agentId", UUID.randomUUID().toString())),
                400,
                "validation");
        assertThat(unknownAgent.get("errors").get(0).get("field").asString()).isEqualTo("agentId");
        assertProblem(get("/api/v1/conversations?limit=0", token), 400, "validation");
        assertProblem(get("/api/v1/conversations?cursor=nonsense", token), 400, "validation");
        assertProblem(post(path, null, Map.of("content", "hi")), 401, "authentication");
        assertThat(get("/api/v1/conversations/" + conversation + "/messages", token)
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void conversationsPageNewestFirstWithACursor() {
        String token = newUser();
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            created.add(newConversation(token));
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = get("/api/v1/conversations?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), token)
                    .json();
            page.get("items").forEach(c -> seen.add(c.get("id").asString()));
            assertThat(page.get("items").size()).isLessThanOrEqualTo(2);
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asString();
            pages++;
        } while (cursor != null);
        assertThat(seen).isEqualTo(created);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void messagesPageOldestFirst() {
        String token = newUser();
        String conversation = newConversation(token);
        chat(conversation, token, "What is 1 + 2?");
        chat(conversation, token, "What is 3 + 4?");
        JsonNode first = get("/api/v1/conversations/" + conversation + "/messages?limit=3", token)
                .json();
        assertThat(first.get("items")).hasSize(3);
        assertThat(first.get("items").get(0).get("content").asString()).isEqualTo("What is 1 + 2?");
        JsonNode second = get(
                        "/api/v1/conversations/" + conversation + "/messages?limit=3&cursor="
                                + first.get("nextCursor").asString(),
                        token)
                .json();
        assertThat(second.get("items")).hasSize(1);
        assertThat(second.get("items").get(0).get("content").asString()).isEqualTo("3 + 4 = 7.");
        assertThat(second.get("nextCursor").isNull()).isTrue();
    }

    @Test
    void theOwnerDeletesAConversationWithItsMessagesAndNobodyElseCan() {
        String token = newUser();
        String conversation = newConversation(token);
        chat(conversation, token, "What is 40 + 2? conversation-delete-marker");

        assertProblem(send("DELETE", "/api/v1/conversations/" + conversation, newUser(), null), 404, "not_found");
        assertThat(get("/api/v1/conversations/" + conversation, token).status()).isEqualTo(200);

        assertThat(send("DELETE", "/api/v1/conversations/" + conversation, token, null)
                        .status())
                .isEqualTo(204);

        assertProblem(get("/api/v1/conversations/" + conversation, token), 404, "not_found");
        assertProblem(get("/api/v1/conversations/" + conversation + "/messages", token), 404, "not_found");
        assertProblem(send("DELETE", "/api/v1/conversations/" + conversation, token, null), 404, "not_found");
        assertProblem(send("DELETE", "/api/v1/conversations/not-a-uuid", token, null), 400, "validation");
        assertThat(jdbc.sql("SELECT count(*) FROM messages WHERE content LIKE '%conversation-delete-marker%'")
                        .query(Long.class)
                        .single())
                .isZero();
    }
}
