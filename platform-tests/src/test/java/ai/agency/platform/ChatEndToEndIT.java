package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.platform.Api.Reply;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * One chat turn end to end with the local provider: gateway → orchestration → real memory-service and tool-service
 * (each call as the user), through a real PostgreSQL.
 */
class ChatEndToEndIT {

    private static RunningPlatform platform;
    private static URI gateway;

    @BeforeAll
    static void startPlatform() {
        platform = RunningPlatform.get();
        gateway = platform.gateway();
    }

    @Test
    void whatIRememberInOneConversationIsRecalledInTheNext() {
        String token = Api.newUserToken(gateway);

        JsonNode first = say(token, newConversation(token), "Remember that my favourite colour is teal.");
        assertThat(toolNames(first)).contains("add_memory");

        JsonNode second = say(token, newConversation(token), "What is my favourite colour?");
        assertThat(second.get("content").asString()).containsIgnoringCase("teal");

        Reply memories = Api.send(
                gateway,
                "POST",
                "/api/v1/memories/search",
                token,
                "{\"query\":\"favourite colour\"}",
                "application/json");
        assertThat(memories.body()).containsIgnoringCase("teal");
    }

    @Test
    void arithmeticGoesThroughTheRealCalculatorTool() {
        String token = Api.newUserToken(gateway);
        JsonNode answer = say(token, newConversation(token), "What is 17 * 23?");
        assertThat(toolNames(answer)).contains("calculator");
        assertThat(answer.get("content").asString()).contains("391");
    }

    @Test
    void anotherUsersConversationIsNotFound() {
        String alice = Api.newUserToken(gateway);
        String bob = Api.newUserToken(gateway);
        String conversation = newConversation(alice);
        Reply reply = Api.send(
                gateway,
                "POST",
                "/api/v1/conversations/" + conversation + "/messages",
                bob,
                "{\"content\":\"hello\"}",
                "application/json");
        Api.assertProblem(reply, 404, "not_found");
    }

    private static String newConversation(String token) {
        Reply created = Api.send(gateway, "POST", "/api/v1/conversations", token, "{}", "application/json");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private static JsonNode say(String token, String conversation, String content) {
        Reply reply = Api.send(
                gateway,
                "POST",
                "/api/v1/conversations/" + conversation + "/messages",
                token,
                "{\"content\":" + Api.JSON.writeValueAsString(content) + "}",
                "application/json");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("message");
    }

    private static List<String> toolNames(JsonNode message) {
        List<String> names = new ArrayList<>();
        message.get("toolCalls").forEach(call -> names.add(call.get("name").asString()));
        return names;
    }
}
