package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.common.testsupport.UsageOwnerStub;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Tool calls as usage: each executed call reaches the owner once, over HTTP, under the tool's name; the
 * {@code tool_calls_per_minute} quota (limit from the owner, count from the execution log) refuses with a 429.
 */
class ToolUsageTest extends ToolApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final UsageOwnerStub owner = UsageOwnerStub.shared();

    private List<JsonNode> calls(UUID user) {
        return owner.eventsOf(user).stream()
                .filter(e -> e.get("kind").asString().equals("tool_call"))
                .toList();
    }

    @Test
    void anExecutedCallIsRelayedOnceUnderTheToolsName() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        executeOk(token, "calculator", Map.of("expression", "2 + 3"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(calls(user)).hasSize(1));
        JsonNode call = calls(user).getFirst();
        assertThat(call.get("subject").asString()).isEqualTo("calculator");
        assertThat(call.get("count").asLong()).isEqualTo(1);
        // refused before running (bad parameters): no call
        assertProblem(execute(token, "calculator", Map.of("expression", 5)), 400, "validation");
        executeOk(token, "current_time", Map.of());
        await().atMost(WAIT).untilAsserted(() -> assertThat(calls(user)).hasSize(2));
    }

    @Test
    void callsPastThePerMinuteQuotaAreRefusedNamingIt() throws InterruptedException {
        Instant now = Instant.now();
        if (now.atZone(java.time.ZoneOffset.UTC).getSecond() > 50) { // stay inside one UTC minute
            Thread.sleep(
                    Duration.between(now, now.truncatedTo(ChronoUnit.MINUTES).plusSeconds(61)));
        }
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        owner.quota(user, "tool_calls_per_minute", 2, 0, null);
        executeOk(token, "calculator", Map.of("expression", "1 + 1"));
        executeOk(token, "calculator", Map.of("expression", "1 + 2"));

        Response refused = execute(token, "calculator", Map.of("expression", "1 + 3"));
        JsonNode problem = assertProblem(refused, 429, "rate_limit");
        assertThat(problem.get("quota").asString()).isEqualTo("tool_calls_per_minute");
        assertThat(problem.get("limit").asLong()).isEqualTo(2);
        Instant resetsAt = Instant.parse(problem.get("resetsAt").asString());
        assertThat(resetsAt)
                .isEqualTo(Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES));

        executeOk(newUser(), "calculator", Map.of("expression", "1 + 3"));
    }
}
