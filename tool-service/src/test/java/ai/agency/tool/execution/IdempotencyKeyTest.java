package ai.agency.tool.execution;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.tool.ToolApiTest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code Idempotency-Key} on {@code POST /api/v1/tools/{name}/execute}: each test is an attack or a failure a client
 * repeats its call after (a lost answer, a crash), against an HTTP tool whose every execution the stub counts.
 */
class IdempotencyKeyTest extends ToolApiTest {

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private IdempotentExecutions idempotent;

    /** An HTTP tool answering at the stub's {@code /held/<gate>}: the stub counts each execution under that gate. */
    private String countingTool(String gate, boolean open) {
        HELD_GATES.put(gate, new CountDownLatch(open ? 0 : 1));
        String name = "counted_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Response registered = post(
                "/api/v1/tools",
                newAdmin(),
                Map.of(
                        "name",
                        name,
                        "description",
                        "counts its executions",
                        "parameters",
                        Map.of(
                                "type",
                                "object",
                                "properties",
                                Map.of(
                                        "city", Map.of("type", "string"),
                                        "country", Map.of("type", "string"))),
                        "endpoint",
                        stubUrl("localhost") + "/held/" + gate));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        return name;
    }

    private int executions(String gate) {
        AtomicInteger arrivals = HELD_ARRIVALS.get(gate);
        return arrivals == null ? 0 : arrivals.get();
    }

    private Response executeWithKey(String token, String tool, Map<String, ?> parameters, String key) {
        return send(
                "POST",
                "/api/v1/tools/" + tool + "/execute",
                token,
                JSON.writeValueAsString(Map.of("parameters", parameters)),
                Map.of("Idempotency-Key", key));
    }

    @Test
    void aReplayedKeyDoesNotExecuteTheToolTwice() {
        // before: the header was ignored and every repeat ran the tool again (2 executions)
        String gate = UUID.randomUUID().toString();
        String tool = countingTool(gate, true);
        String user = newUser();
        String key = "run-1:step-a:1";

        Map<String, String> cityFirst = new LinkedHashMap<>();
        cityFirst.put("city", "Lyon");
        cityFirst.put("country", "FR");
        Map<String, String> countryFirst = new LinkedHashMap<>();
        countryFirst.put("country", "FR");
        countryFirst.put("city", "Lyon");
        Response first = executeWithKey(user, tool, cityFirst, key);
        Response repeat = executeWithKey(user, tool, cityFirst, key);

        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().get("success").asBoolean()).isTrue();
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(repeat.status()).as(repeat.body()).isEqualTo(200);
        assertThat(repeat.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(repeat.json()).isEqualTo(first.json());
        assertThat(executions(gate)).isEqualTo(1);
        // the members' order does not make it another request
        Response reordered = executeWithKey(user, tool, countryFirst, key);
        assertThat(reordered.status()).as(reordered.body()).isEqualTo(200);
        assertThat(reordered.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(executions(gate)).isEqualTo(1);
    }

    @Test
    void anotherUsersKeyNeverReturnsSomeoneElsesResult() {
        String gate = UUID.randomUUID().toString();
        String tool = countingTool(gate, true);
        String key = "shared-key-" + UUID.randomUUID();
        String victim = newUser();
        String attacker = newUser();

        Response victims = executeWithKey(victim, tool, Map.of("city", "victim-secret"), key);
        // the same key and the same parameters from someone else: their own execution, never the stored result
        Response same = executeWithKey(attacker, tool, Map.of("city", "victim-secret"), key);
        Response other = executeWithKey(attacker, tool, Map.of("city", "mine"), "other-" + key);

        assertThat(victims.status()).isEqualTo(200);
        assertThat(same.status()).as(same.body()).isEqualTo(200);
        assertThat(same.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(other.status()).isEqualTo(200);
        assertThat(executions(gate)).isEqualTo(3);
        // and the stored result is sealed: the database holds no readable copy of it
        byte[] stored = jdbc.sql("SELECT result FROM idempotency_keys WHERE key = :k LIMIT 1")
                .param("k", key)
                .query(byte[].class)
                .single();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("released");
    }

    @Test
    void theSameKeyWithOtherParametersIsRefusedWith422() {
        String gate = UUID.randomUUID().toString();
        String tool = countingTool(gate, true);
        String user = newUser();
        String key = UUID.randomUUID().toString();
        assertThat(executeWithKey(user, tool, Map.of("city", "Lyon"), key).status())
                .isEqualTo(200);

        JsonNode problem = assertProblem(executeWithKey(user, tool, Map.of("city", "Paris"), key), 422, "validation");

        assertThat(problem.get("reason").asString()).isEqualTo("idempotency_key_reused");
        assertThat(errorFields(problem)).containsExactly("Idempotency-Key");
        JsonNode otherTool =
                assertProblem(executeWithKey(user, "calculator", Map.of("expression", "1+1"), key), 422, "validation");
        assertThat(otherTool.get("reason").asString()).isEqualTo("idempotency_key_reused");
        assertThat(executions(gate)).isEqualTo(1);
    }

    @Test
    void aConcurrentDuplicateWaitsForTheFirstCallInsteadOfExecutingAgain() throws Exception {
        String gate = UUID.randomUUID().toString();
        String tool = countingTool(gate, false);
        String user = newUser();
        String key = UUID.randomUUID().toString();

        CompletableFuture<Response> first =
                CompletableFuture.supplyAsync(() -> executeWithKey(user, tool, Map.of("city", "Lyon"), key));
        org.awaitility.Awaitility.await().until(() -> executions(gate) == 1);
        CompletableFuture<Response> duplicate =
                CompletableFuture.supplyAsync(() -> executeWithKey(user, tool, Map.of("city", "Lyon"), key));
        Thread.sleep(300);
        HELD_GATES.get(gate).countDown();

        assertThat(first.get().status()).isEqualTo(200);
        Response repeated = duplicate.get();
        assertThat(repeated.status()).as(repeated.body()).isEqualTo(200);
        assertThat(repeated.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(repeated.json()).isEqualTo(first.get().json());
        assertThat(executions(gate)).isEqualTo(1);
    }

    @Test
    void aDuplicateOfACallStillRunningPastTheWaitIsRefusedWith409() throws Exception {
        String gate = UUID.randomUUID().toString();
        String tool = countingTool(gate, false);
        String user = newUser();
        String key = UUID.randomUUID().toString();
        CompletableFuture<Response> first =
                CompletableFuture.supplyAsync(() -> executeWithKey(user, tool, Map.of("city", "Lyon"), key));
        org.awaitility.Awaitility.await().until(() -> executions(gate) == 1);
        try {
            JsonNode problem = assertProblem(executeWithKey(user, tool, Map.of("city", "Lyon"), key), 409, "conflict");
            assertThat(problem.get("reason").asString()).isEqualTo("idempotency_key_in_use");
        } finally {
            HELD_GATES.get(gate).countDown();
        }
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(executions(gate)).isEqualTo(1);
    }

    @Test
    void aCallRefusedBeforeTheToolRanStoresNothingUnderItsKey() {
        String gate = UUID.randomUUID().toString();
        String tool = countingTool(gate, true);
        String user = newUser();
        String key = UUID.randomUUID().toString();

        assertProblem(executeWithKey(user, tool, Map.of("city", 42), key), 400, "validation");
        Response valid = executeWithKey(user, tool, Map.of("city", "Lyon"), key);

        assertThat(valid.status()).as(valid.body()).isEqualTo(200);
        assertThat(valid.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions(gate)).isEqualTo(1);
    }

    @Test
    void malformedKeysAreRefused() {
        String user = newUser();
        for (String key : List.of("x".repeat(256), "with space", "tab\tkey")) {
            Response response = executeWithKey(user, "calculator", Map.of("expression", "1+1"), key);
            assertThat(response.status())
                    .as("key '" + key + "': " + response.body())
                    .isEqualTo(400);
            assertThat(errorFields(assertProblem(response, 400, "validation"))).containsExactly("Idempotency-Key");
        }
    }

    @Test
    void expiredKeysAreDeletedAndARepeatThenExecutesAgain() {
        String gate = UUID.randomUUID().toString();
        String tool = countingTool(gate, true);
        String user = newUser();
        String key = UUID.randomUUID().toString();
        assertThat(executeWithKey(user, tool, Map.of("city", "Lyon"), key).status())
                .isEqualTo(200);
        jdbc.sql("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = :k")
                .param("k", key)
                .update();

        assertThat(idempotent.deleteExpired()).isGreaterThanOrEqualTo(1);

        assertThat(jdbc.sql("SELECT count(*) FROM idempotency_keys WHERE key = :k")
                        .param("k", key)
                        .query(Long.class)
                        .single())
                .isZero();
        Response again = executeWithKey(user, tool, Map.of("city", "Lyon"), key);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(executions(gate)).isEqualTo(2);
    }
}
