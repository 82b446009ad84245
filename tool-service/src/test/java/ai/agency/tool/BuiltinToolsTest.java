package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BuiltinToolsTest extends ToolApiTest {

    @Test
    void everyBuiltinIsListedWithItsSchema() {
        Response response = get("/api/v1/tools", jwts.viewer(UUID.randomUUID()));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        response.json().get("items").forEach(t -> names.add(t.get("name").asString()));
        assertThat(names)
                .contains("add_memory", "search_memory", "calculator", "current_time", "http_get", "analyze_text");
        JsonNode calculator = get("/api/v1/tools/calculator", newUser()).json();
        assertThat(calculator.get("source").asString()).isEqualTo("builtin");
        assertThat(calculator.get("enabled").asBoolean()).isTrue();
        assertThat(calculator.get("parameters").get("required").get(0).asString())
                .isEqualTo("expression");
    }

    @Test
    void anUnknownToolIs404() {
        assertProblem(get("/api/v1/tools/no_such_tool", newUser()), 404, "not_found");
        assertProblem(execute(newUser(), "no_such_tool", Map.of()), 404, "not_found");
    }

    @Test
    void aRequestWithoutATokenIs401() {
        assertProblem(get("/api/v1/tools", null), 401, "authentication");
    }

    @Test
    void theCalculatorParsesArithmetic() {
        String token = newUser();
        assertThat(result(token, "2 + 3 * 4")).isEqualTo(14.0);
        assertThat(result(token, "(2 + 3) * 4")).isEqualTo(20.0);
        assertThat(result(token, "2 ^ 3 ^ 2")).isEqualTo(512.0);
        assertThat(result(token, "2 ** 10")).isEqualTo(1024.0);
        assertThat(result(token, "-2 ^ 2")).isEqualTo(-4.0);
        assertThat(result(token, "10 ÷ 4 × 2")).isEqualTo(5.0);
        assertThat(result(token, "sqrt(16) + abs(-3) + max(1, 7)")).isEqualTo(14.0);
        assertThat(result(token, "1.5e3 / 3")).isEqualTo(500.0);
        assertThat(result(token, "17 % 5")).isEqualTo(2.0);
        assertThat(result(token, "round(pi * 100)")).isEqualTo(314.0);
    }

    @Test
    void theCalculatorRefusesWhatIsNotArithmetic() {
        String token = newUser();
        for (String expression : List.of(
                "java.lang.Runtime.getRuntime()",
                "1 +",
                "(1 + 2",
                "1 / 0",
                "2 $ 3",
                "sqrt(-1)",
                "this.constructor",
                "(".repeat(200) + "1" + ")".repeat(200))) {
            JsonNode envelope = executeOk(token, "calculator", Map.of("expression", expression));
            assertThat(assertFailed(envelope, "validation")).startsWith("expression: the expression");
        }
    }

    @Test
    void currentTimeAnswersInTheGivenZone() {
        JsonNode data = assertSucceeded(executeOk(newUser(), "current_time", Map.of("timezone", "Asia/Kolkata")));

        assertThat(data.get("timezone").asString()).isEqualTo("Asia/Kolkata");
        assertThat(data.get("offset").asString()).isEqualTo("+05:30");
        assertThat(data.get("dateTime").asString()).endsWith("+05:30");

        JsonNode utc = assertSucceeded(executeOk(newUser(), "current_time", Map.of()));
        assertThat(utc.get("timezone").asString()).isEqualTo("UTC");

        JsonNode bad = executeOk(newUser(), "current_time", Map.of("timezone", "Mars/Olympus"));
        assertThat(assertFailed(bad, "validation")).contains("not an IANA time zone");
    }

    @Test
    void addMemoryStoresAsTheCallingUser() {
        UUID userId = UUID.randomUUID();
        String token = jwts.user(userId);

        JsonNode data = assertSucceeded(
                executeOk(token, "add_memory", Map.of("content", "I like tea", "tags", List.of("drinks"))));

        assertThat(data.get("results").get(0).get("event").asString()).isEqualTo("ADD");
        Received received = RECEIVED.get("/memory/api/v1/memories");
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.headers().firstValue("Authorization")).contains("Bearer " + token);
        JsonNode sent = JSON.readTree(received.body());
        assertThat(sent.get("content").asString()).isEqualTo("I like tea");
        assertThat(sent.get("tags").get(0).asString()).isEqualTo("drinks");
    }

    @Test
    void searchMemoryRelaysTheQueryAndToken() {
        String token = jwts.user(UUID.randomUUID());

        JsonNode data = assertSucceeded(executeOk(token, "search_memory", Map.of("query", "tea", "limit", 3)));

        assertThat(data.get("results").get(0).get("memory").asString()).isEqualTo("likes tea");
        assertThat(data.get("results").get(0).get("validFrom").asString()).isEqualTo("2025-03-01T00:00:00Z");
        Received received = RECEIVED.get("/memory/api/v1/memories/search");
        assertThat(received.headers().firstValue("Authorization")).contains("Bearer " + token);
        assertThat(JSON.readTree(received.body()).get("limit").asInt()).isEqualTo(3);
    }

    @Test
    void analyzeTextCallsMultimodal() {
        JsonNode data = assertSucceeded(executeOk(newUser(), "analyze_text", Map.of("text", "What a lovely day")));

        assertThat(data.get("sentiment").get("label").asString()).isEqualTo("positive");
        assertThat(JSON.readTree(RECEIVED.get("/multimodal/api/v1/analyze/text").body())
                        .get("text")
                        .asString())
                .isEqualTo("What a lovely day");
    }

    @Test
    void tokensWithoutWriteScopeMayNotRunAnyTool() {
        // running a tool is a write (the contract's scope rule), whatever the tool does
        String viewer = jwts.viewer(UUID.randomUUID());
        String readOnlyKey = jwts.withScopes(UUID.randomUUID(), List.of("user"), List.of("read"));

        for (String token : List.of(viewer, readOnlyKey)) {
            assertProblem(execute(token, "add_memory", Map.of("content", "x")), 403, "authorization");
            assertProblem(execute(token, "calculator", Map.of("expression", "1+1")), 403, "authorization");
        }
        assertThat(get("/api/v1/tools", readOnlyKey).status()).isEqualTo(200);
    }

    @Test
    void parametersThatViolateTheSchemaGiveOneErrorPerViolation() {
        Response response =
                execute(newUser(), "add_memory", Map.of("importance", 7, "tags", List.of(1), "unknown", true));

        JsonNode problem = assertProblem(response, 400, "validation");
        assertThat(errorFields(problem))
                .containsExactlyInAnyOrder(
                        "parameters.content", "parameters.importance", "parameters.tags[0]", "parameters.unknown");
        problem.get("errors")
                .forEach(e -> assertThat(e.get("message").asString()).isNotBlank());
    }

    @Test
    void parametersThatAreNotAnObjectAre400() {
        Response response = send("POST", "/api/v1/tools/calculator/execute", newUser(), "{\"parameters\": [\"1+1\"]}");

        JsonNode problem = assertProblem(response, 400, "validation");
        assertThat(errorFields(problem)).containsExactly("parameters");
        assertProblem(send("POST", "/api/v1/tools/calculator/execute", newUser(), "\"1+1\""), 400, "validation");
        assertProblem(send("POST", "/api/v1/tools/calculator/execute", newUser(), "{not json"), 400, "validation");
    }

    private double result(String token, String expression) {
        JsonNode data = assertSucceeded(executeOk(token, "calculator", Map.of("expression", expression)));
        return data.get("result").asDouble();
    }
}
