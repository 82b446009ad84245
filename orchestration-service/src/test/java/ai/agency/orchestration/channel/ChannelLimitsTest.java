package ai.agency.orchestration.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Cost amplification through channels: each post starts one agent turn per other participant, so
 * a channel's size and one user's deliveries at once are bounded ({@code agency.orchestration.channels}: 20
 * participants, 4 deliveries per user, 2 s wait).
 */
class ChannelLimitsTest extends OrchestrationApiTest {

    private static final String ASSISTANT = "00000000-0000-0000-0000-000000000001";

    private String agent(String token, Map<String, Object> body) {
        Response created = post("/api/v1/agents", token, body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private String channel(String token, List<String> participants) {
        Response created = post("/api/v1/channels", token, Map.of("name", "limits", "participants", participants));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private Response say(String token, String channel, String content) {
        return post(
                "/api/v1/channels/" + channel + "/messages",
                token,
                Map.of("senderId", ASSISTANT, "type", "message", "content", content));
    }

    @Test
    void aChannelWithTwentyOneParticipantsIsRefused() {
        String user = newUser();
        List<String> participants = new ArrayList<>(List.of(ASSISTANT));
        for (int i = 1; i <= 20; i++) {
            participants.add(agent(user, Map.of("name", "Agent " + i)));
        }

        JsonNode problem = assertProblem(
                post("/api/v1/channels", user, Map.of("name", "crowd", "participants", participants)),
                400,
                "validation");

        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("participants");
        assertThat(problem.get("errors").get(0).get("message").asString()).contains("at most 20");
        // twenty (the assistant and nineteen others) is allowed
        channel(user, participants.subList(0, 20));
    }

    @Test
    void aFifthConcurrentChannelPostOfOneUserIs429WhileAnotherUserIsServed() {
        String alice = newUser();
        String key = "k" + UUID.randomUUID();
        CountDownLatch release = new CountDownLatch(1);
        HOLDS.put(key, release);
        String slow = agent(alice, Map.of("name", "Slow", "model", Map.of("provider", "openai")));
        String aliceChannel = channel(alice, List.of(ASSISTANT, slow));
        try {
            for (int i = 0; i < 4; i++) {
                Response accepted = say(alice, aliceChannel, "hold:" + key + " message " + i);
                assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            }
            // four deliveries of alice's are in the middle of their agent turns
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> HELD.containsKey(key) && HELD.get(key).get() == 4);

            Response fifth = say(alice, aliceChannel, "hold:" + key + " message 4");

            JsonNode problem = assertProblem(fifth, 429, "rate_limit");
            assertThat(problem.get("detail").asString()).contains("at most 4");
            assertThat(fifth.headers().firstValue("Retry-After")).hasValue("2");
            assertThat(get("/api/v1/channels/" + aliceChannel + "/messages", alice)
                            .json()
                            .get("items")
                            .size())
                    .as("a refused post stores nothing")
                    .isEqualTo(4);

            // bob's slots are his own: his post is accepted and answered while alice's four still hang
            String bob = newUser();
            String mathematician = agent(bob, Map.of("name", "Mathematician", "tools", List.of("calculator")));
            String bobChannel = channel(bob, List.of(ASSISTANT, mathematician));
            Response bobs = say(bob, bobChannel, "What is 6 * 7?");
            assertThat(bobs.status()).as(bobs.body()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode items = get("/api/v1/channels/" + bobChannel + "/messages", bob)
                        .json()
                        .get("items");
                assertThat(items.size()).isEqualTo(2);
                assertThat(items.get(1).get("content").asString()).contains("42");
            });
            assertThat(HELD.get(key).get()).as("alice's turns were still held").isEqualTo(4);
        } finally {
            release.countDown();
        }
        // once her deliveries are done, alice may post again
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(get("/api/v1/channels/" + aliceChannel + "/messages?limit=20", alice)
                                .json()
                                .get("items")
                                .size())
                        .isEqualTo(8));
        Response again = say(alice, aliceChannel, "hold:" + key + " message 5");
        assertThat(again.status()).as(again.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> HELD.get(key).get() == 5);
    }
}
