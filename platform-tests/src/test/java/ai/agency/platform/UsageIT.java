package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.platform.Api.Reply;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Usage end to end through the gateway: a chat turn with the local provider (its tool call run by the real
 * tool-service), a memory add (memory-service) and a text analysis (multimodal-service) are relayed to auth-service and
 * show up in the user's {@code GET /api/v1/usage} for today with the right numbers, in nobody else's, and in the
 * admin's view of that user only for admins.
 */
class UsageIT {

    private static URI gateway;

    @BeforeAll
    static void startPlatform() {
        gateway = RunningPlatform.get().gateway();
    }

    private static Reply post(String token, String path, String json) {
        Reply reply = Api.send(gateway, "POST", path, token, json, "application/json");
        assertThat(reply.status()).as(path + " " + reply.body()).isBetween(200, 202);
        return reply;
    }

    private static JsonNode today(String token) {
        Reply reply = Api.send(gateway, "GET", "/api/v1/usage", token, null, null);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode days = reply.json().get("days");
        JsonNode day = days.get(days.size() - 1);
        assertThat(day.get("date").asString())
                .isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        return day;
    }

    @Test
    void aTurnAToolCallAMemoryAndAnAnalysisAreTheUsersUsageOfTheDay() {
        Api.User me = Api.newUser(gateway);
        String conversation =
                post(me.token(), "/api/v1/conversations", "{}").json().get("id").asString();
        JsonNode answer = post(
                        me.token(),
                        "/api/v1/conversations/" + conversation + "/messages",
                        "{\"content\":\"What is 17 * 23?\"}")
                .json()
                .get("message");
        long in = answer.get("usage").get("promptTokens").asLong();
        long out = answer.get("usage").get("completionTokens").asLong();
        String text = "My usage test fact is about herons";
        post(me.token(), "/api/v1/memories", "{\"content\":\"" + text + "\",\"infer\":false}");
        post(me.token(), "/api/v1/analyze/text", "{\"text\":\"The weather is lovely today.\"}");

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> {
                    JsonNode day = today(me.token());
                    assertThat(day.get("turns").asLong()).isEqualTo(1);
                    assertThat(day.get("toolCalls").asLong()).isGreaterThanOrEqualTo(1);
                    assertThat(day.get("memoriesAdded").asLong()).isGreaterThanOrEqualTo(1);
                    assertThat(day.get("analysesByModality").get("text").asLong())
                            .isEqualTo(1);
                });
        JsonNode day = today(me.token());
        assertThat(day.get("tokensIn").asLong()).isEqualTo(in);
        assertThat(day.get("tokensOut").asLong()).isEqualTo(out);
        assertThat(day.get("byModel").get(0).get("provider").asString()).isEqualTo("local");
        java.util.List<String> tools = new java.util.ArrayList<>();
        day.get("byTool").forEach(t -> tools.add(t.get("tool").asString()));
        assertThat(tools).contains("calculator");
        assertThat(day.get("memoryBytes").asLong()).isGreaterThanOrEqualTo(text.length());

        Api.User other = Api.newUser(gateway);
        JsonNode theirs = today(other.token());
        assertThat(theirs.get("turns").asLong()).isZero();
        assertThat(theirs.get("toolCalls").asLong()).isZero();
        assertThat(theirs.get("memoriesAdded").asLong()).isZero();
        Api.assertProblem(
                Api.send(gateway, "GET", "/api/v1/admin/usage?userId=" + me.id(), other.token(), null, null),
                403,
                "authorization");
    }

    @Test
    void aCallerOnTheServicesNetworkCannotSpendAnotherUsersQuota() {
        // the attack: post "tokens" for a victim straight to auth-service (as another pod or a compromised container
        // on the services' network could) until their daily quota is gone. Before: counted, and the victim's next
        // chat turn was refused with 429 quota_exceeded.
        Api.User victim = Api.newUser(gateway);
        String forged = """
                {"events":[{"id":"%s","userId":"%s","at":"%s","kind":"tokens","subject":"openai/gpt-4o",
                "count":0,"tokensIn":5000000,"tokensOut":1,"bytes":0}]}""".formatted(java.util.UUID.randomUUID(), victim.id(), java.time.Instant.now());
        URI auth = RunningPlatform.get().service("auth-service");
        Reply direct = Api.send(auth, "POST", "/internal/usage/events", null, forged, "application/json");
        Api.assertProblem(direct, 401, "authentication");
        assertThat(direct.json().get("detail").asString()).contains("Agency-Usage-Secret");
        Reply throughGateway = Api.send(gateway, "POST", "/internal/usage/events", null, forged, "application/json");
        assertThat(throughGateway.status()).as(throughGateway.body()).isEqualTo(404);

        JsonNode day = today(victim.token());
        assertThat(day.get("tokensIn").asLong()).isZero();
        String conversation = post(victim.token(), "/api/v1/conversations", "{}")
                .json()
                .get("id")
                .asString();
        post(victim.token(), "/api/v1/conversations/" + conversation + "/messages", "{\"content\":\"Hello\"}");
    }
}
