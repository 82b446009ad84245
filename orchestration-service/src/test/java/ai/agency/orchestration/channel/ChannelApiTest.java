package ai.agency.orchestration.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.orchestration.OrchestrationApiTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ChannelApiTest extends OrchestrationApiTest {

    private static final String ASSISTANT = "00000000-0000-0000-0000-000000000001";

    @Test
    void aMessageIsDeliveredToTheOtherParticipantsWhoAnswer() {
        String user = newUser();
        Response agent = post(
                "/api/v1/agents",
                user,
                Map.of("name", "Mathematician", "capabilities", List.of("math"), "tools", List.of("calculator")));
        String mathematician = agent.json().get("id").asString();
        Response created = post(
                "/api/v1/channels", user, Map.of("name", "team", "participants", List.of(ASSISTANT, mathematician)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String channel = created.json().get("id").asString();

        Response sent = post(
                "/api/v1/channels/" + channel + "/messages",
                user,
                Map.of("senderId", ASSISTANT, "type", "math", "content", "What is 6 * 7?"));
        assertThat(sent.status()).as(sent.body()).isEqualTo(202);
        post(
                "/api/v1/channels/" + channel + "/messages",
                user,
                Map.of("senderId", mathematician, "type", "poetry", "content", "Roses are red"));

        JsonNode[] items = {null};
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            items[0] = get("/api/v1/channels/" + channel + "/messages?limit=10", user)
                    .json()
                    .get("items");
            assertThat(items[0].size()).isEqualTo(3);
        });
        JsonNode question = items[0].get(0);
        assertThat(question.get("deliveries").get(0).get("status").asString()).isEqualTo("delivered");
        assertThat(items[0].get(1).get("deliveries").get(0).get("status").asString())
                .isEqualTo("skipped");
        JsonNode reply = items[0].get(2);
        assertThat(reply.get("type").asString()).isEqualTo("reply");
        assertThat(reply.get("senderId").asString()).isEqualTo(mathematician);
        assertThat(reply.get("inReplyTo").asString())
                .isEqualTo(question.get("id").asString());
        assertThat(reply.get("content").asString()).contains("42");

        assertProblem(get("/api/v1/channels/" + channel + "/messages", newUser()), 404, "not_found");
        assertProblem(
                post(
                        "/api/v1/channels/" + channel + "/messages",
                        user,
                        Map.of("senderId", java.util.UUID.randomUUID().toString(), "type", "math", "content", "x")),
                400,
                "validation");
    }
}
