package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
        JsonNode sent = JSON.readTree(received.body());
        assertThat(sent.get("limit").asInt()).isEqualTo(3);
        assertThat(sent.has("asOf")).isFalse(); // memory-service's default: what holds now
        assertThat(sent.has("includeInvalid")).isFalse();
    }

    @Test
    void theMemoryToolsDescribeTheFactsThatChangeArguments() {
        JsonNode search = get("/api/v1/tools/search_memory", newUser()).json().get("parameters");
        assertThat(search.get("properties").get("asOf").get("format").asString())
                .isEqualTo("date-time");
        assertThat(search.get("properties").get("asOf").get("description").asString())
                .contains("ISO-8601");
        assertThat(search.get("properties").get("includeInvalid").get("type").asString())
                .isEqualTo("boolean");
        JsonNode add = get("/api/v1/tools/add_memory", newUser()).json().get("parameters");
        assertThat(add.get("properties").get("validFrom").get("format").asString())
                .isEqualTo("date-time");
        assertThat(add.get("properties")
                        .get("supersedes")
                        .get("items")
                        .get("format")
                        .asString())
                .isEqualTo("uuid");
        assertThat(get("/api/v1/tools/add_memory", newUser())
                        .json()
                        .get("description")
                        .asString())
                .contains("supersedes");
    }

    @Test
    void searchMemoryPassesAsOfAndIncludeInvalidThrough() {
        String token = jwts.user(UUID.randomUUID());

        JsonNode data = assertSucceeded(
                executeOk(token, "search_memory", Map.of("query", "drinks", "asOf", "2024-06-01T02:00:00+02:00")));

        // an offset is sent as the same instant in UTC
        JsonNode sent =
                JSON.readTree(RECEIVED.get("/memory/api/v1/memories/search").body());
        assertThat(sent.get("asOf").asString()).isEqualTo("2024-06-01T00:00:00Z");
        assertThat(sent.has("includeInvalid")).isFalse();
        JsonNode closed = data.get("results").get(1);
        assertThat(closed.get("validFrom").asString()).isEqualTo("2020-01-01T00:00:00Z");
        assertThat(closed.get("invalidAt").asString()).isEqualTo("2025-03-01T00:00:00Z");
        assertThat(closed.get("supersededBy").asString()).isEqualTo(CLOSED_BY.toString());
        assertThat(data.get("results").get(0).get("invalidAt").isNull()).isTrue();

        assertSucceeded(executeOk(token, "search_memory", Map.of("query", "drinks", "includeInvalid", true)));

        sent = JSON.readTree(RECEIVED.get("/memory/api/v1/memories/search").body());
        assertThat(sent.get("includeInvalid").asBoolean()).isTrue();
        assertThat(sent.has("asOf")).isFalse();
    }

    @Test
    void addMemoryPassesValidFromAndSupersedesThrough() {
        String token = jwts.user(UUID.randomUUID());
        UUID berlin = UUID.randomUUID();
        UUID oldJob = UUID.randomUUID();

        JsonNode data = assertSucceeded(executeOk(
                token,
                "add_memory",
                Map.of(
                        "content", "I moved to Lisbon",
                        "validFrom", "2025-03-01T00:00:00Z",
                        "supersedes",
                                List.of(berlin.toString(), oldJob.toString().toUpperCase(Locale.ROOT)))));

        JsonNode sent = JSON.readTree(RECEIVED.get("/memory/api/v1/memories").body());
        assertThat(sent.get("content").asString()).isEqualTo("I moved to Lisbon");
        assertThat(sent.get("validFrom").asString()).isEqualTo("2025-03-01T00:00:00Z");
        assertThat(sent.get("supersedes").get(0).asString()).isEqualTo(berlin.toString());
        assertThat(sent.get("supersedes").get(1).asString()).isEqualTo(oldJob.toString());
        List<String> events = new ArrayList<>();
        data.get("results").forEach(r -> events.add(r.get("event").asString()));
        assertThat(events).containsExactly("ADD", "SUPERSEDE", "SUPERSEDE");
        assertThat(data.get("results").get(1).get("id").asString()).isEqualTo(berlin.toString());
    }

    @Test
    void badFactsThatChangeArgumentsAre400AndNothingIsSent() {
        String token = jwts.user(UUID.randomUUID());
        Map<String, Object> id = Map.of("x", 1); // not a string
        List<Map.Entry<Map<String, Object>, String>> searches = List.of(
                Map.entry(Map.of("asOf", "yesterday"), "parameters.asOf"),
                Map.entry(Map.of("asOf", "2025-02-30T00:00:00Z"), "parameters.asOf"),
                Map.entry(Map.of("asOf", "2025-03-01"), "parameters.asOf"),
                Map.entry(Map.of("asOf", "2025-03-01T00:00:00"), "parameters.asOf"),
                Map.entry(Map.of("asOf", "2025-03-01T24:00:00Z"), "parameters.asOf"),
                Map.entry(Map.of("asOf", "+99999-03-01T00:00:00Z"), "parameters.asOf"),
                Map.entry(Map.of("asOf", 1_700_000_000), "parameters.asOf"),
                Map.entry(Map.of("includeInvalid", "yes"), "parameters.includeInvalid"),
                Map.entry(Map.of("includeInvalid", 1), "parameters.includeInvalid"),
                Map.entry(Map.of("asOf", "2025-03-01T00:00:00Z", "includeInvalid", true), "parameters.includeInvalid"));
        List<Map.Entry<Map<String, Object>, String>> adds = List.of(
                Map.entry(Map.of("validFrom", "soon"), "parameters.validFrom"),
                Map.entry(Map.of("validFrom", "2025-03-01T00:00:00+25:00"), "parameters.validFrom"),
                Map.entry(Map.of("validFrom", true), "parameters.validFrom"),
                Map.entry(Map.of("supersedes", List.of("not-a-uuid")), "parameters.supersedes[0]"),
                Map.entry(
                        Map.of("supersedes", List.of(UUID.randomUUID().toString(), "1' OR '1'='1")),
                        "parameters.supersedes[1]"),
                Map.entry(Map.of("supersedes", List.of(id)), "parameters.supersedes[0]"),
                Map.entry(Map.of("supersedes", UUID.randomUUID().toString()), "parameters.supersedes"),
                Map.entry(
                        Map.of(
                                "supersedes",
                                Collections.nCopies(101, UUID.randomUUID().toString())),
                        "parameters.supersedes"));
        RECEIVED.remove("/memory/api/v1/memories/search");
        RECEIVED.remove("/memory/api/v1/memories");

        for (Map.Entry<Map<String, Object>, String> bad : searches) {
            Map<String, Object> parameters = new HashMap<>(bad.getKey());
            parameters.put("query", "drinks");
            JsonNode problem = assertProblem(execute(token, "search_memory", parameters), 400, "validation");
            assertThat(errorFields(problem)).as(bad.getKey().toString()).containsExactly(bad.getValue());
        }
        for (Map.Entry<Map<String, Object>, String> bad : adds) {
            Map<String, Object> parameters = new HashMap<>(bad.getKey());
            parameters.put("content", "I moved to Lisbon");
            JsonNode problem = assertProblem(execute(token, "add_memory", parameters), 400, "validation");
            assertThat(errorFields(problem)).as(bad.getKey().toString()).containsExactly(bad.getValue());
            problem.get("errors")
                    .forEach(e -> assertThat(e.get("message").asString()).isNotBlank());
        }

        assertThat(RECEIVED).doesNotContainKey("/memory/api/v1/memories/search");
        assertThat(RECEIVED).doesNotContainKey("/memory/api/v1/memories");
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
