package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.memory.memory.ExpiryPurge;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Memories as usage: each memory added (not a NOOP) reaches the owner once, over HTTP, with its bytes; a delete and an
 * expiry are removals; the {@code memories_total} quota refuses an add with a 429 naming it once the user holds the
 * limit.
 */
class MemoryUsageTest extends MemoryApiTest {

    @Autowired
    private ExpiryPurge expiryPurge;

    @Autowired
    private JdbcClient jdbc;

    private static final Duration WAIT = Duration.ofSeconds(20);

    private List<JsonNode> events(UUID user, String kind) {
        return USAGE_OWNER.eventsOf(user).stream()
                .filter(e -> e.get("kind").asString().equals(kind))
                .toList();
    }

    @Test
    void anAddedMemoryIsRelayedOnceWithItsBytesAndADeleteAsARemoval() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        String text = "My café is on Rue Cler";
        String id = addOk(token, text);
        assertThat(add(token, Map.of("content", text))
                        .json()
                        .get("results")
                        .get(0)
                        .get("event")
                        .asString())
                .isEqualTo("NOOP");

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(events(user, "memory_added")).hasSize(1));
        JsonNode added = events(user, "memory_added").getFirst();
        assertThat(added.get("id").asString()).isEqualTo(id);
        assertThat(added.get("count").asLong()).isEqualTo(1);
        assertThat(added.get("bytes").asLong()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);

        assertThat(delete("/api/v1/memories/" + id, token).status()).isEqualTo(204);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(events(user, "memory_removed")).hasSize(1));
        assertThat(events(user, "memory_added")).hasSize(1);
        assertThat(USAGE_OWNER.eventsOf(UUID.randomUUID())).isEmpty();
    }

    @Test
    void expiredMemoriesArePurgedAsRemovalsOfTheirOwners() {
        // before: the purge deleted them but reported nothing, so memories_total kept counting them forever and a
        // user whose memories expire reached the quota with nothing stored
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        List<String> ids = List.of(
                addOk(
                        token,
                        Map.of(
                                "content",
                                "expiring fact about herons",
                                "infer",
                                false,
                                "expiresAt",
                                Instant.now().plusSeconds(3600).toString())),
                addOk(
                        token,
                        Map.of(
                                "content",
                                "expiring fact about egrets",
                                "infer",
                                false,
                                "expiresAt",
                                Instant.now().plusSeconds(3600).toString())));
        String kept = addOk(token, "a fact about storks that stays");
        UUID other = UUID.randomUUID();
        String othersKept = addOk(jwts.user(other), "another user's fact about cranes");
        jdbc.sql("UPDATE memory.memories SET expires_at = now() - interval '1 second' WHERE id IN (:ids)")
                .param("ids", ids.stream().map(UUID::fromString).toList())
                .update();

        assertThat(expiryPurge.purge()).isGreaterThanOrEqualTo(2);

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(events(user, "memory_removed")).hasSize(1));
        assertThat(events(user, "memory_removed").getFirst().get("count").asLong())
                .isEqualTo(2);
        assertThat(events(other, "memory_removed")).isEmpty();
        assertThat(get("/api/v1/memories/" + kept, token).status()).isEqualTo(200);
        assertThat(get("/api/v1/memories/" + othersKept, jwts.user(other)).status())
                .isEqualTo(200);
        expiryPurge.purge();
        assertThat(events(user, "memory_removed")).as("counted out once").hasSize(1);
    }

    @Test
    void anAddPastTheMemoriesQuotaIsRefusedNamingIt() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        // auth-service's count is at the limit: memory-service counts the rows itself, and two may still be added
        USAGE_OWNER.quota(user, "memories_total", 2, 2, null);
        addOk(token, "first fact about owls");
        addOk(token, "second fact about ravens");

        Response refused = add(token, Map.of("content", "third fact about crows"));
        JsonNode problem = assertProblem(refused, 429, "rate_limit");
        assertThat(problem.get("quota").asString()).isEqualTo("memories_total");
        assertThat(problem.get("limit").asLong()).isEqualTo(2);
        assertThat(problem.has("resetsAt")).isFalse();

        // someone else is not held to this user's quota
        addOk(newUser(), "third fact about crows");
    }
}
