package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.retention.RetentionPurge;
import ai.agency.common.testsupport.TestHttp.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class ExecutionLogTest extends ToolApiTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RetentionPurge retention;

    @Test
    void aUserSeesOnlyTheirOwnExecutionsNewestFirstAndPaged() {
        UUID aliceId = UUID.randomUUID();
        String alice = jwts.user(aliceId);
        String bob = newUser();
        for (int i = 1; i <= 3; i++) {
            executeOk(alice, "calculator", Map.of("expression", i + "+0"));
        }
        executeOk(alice, "calculator", Map.of("expression", "1/0"));
        executeOk(bob, "calculator", Map.of("expression", "9+9"));

        Response first = get("/api/v1/tools/executions?limit=3", alice);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        JsonNode page = first.json();
        assertThat(page.get("items")).hasSize(3);
        JsonNode newest = page.get("items").get(0);
        assertThat(newest.get("outcome").asString()).isEqualTo("error");
        assertThat(newest.get("errorType").asString()).isEqualTo("validation");
        assertThat(newest.get("tool").asString()).isEqualTo("calculator");
        assertThat(newest.get("userId").asString()).isEqualTo(aliceId.toString());
        assertThat(newest.get("parameters").get("expression").asString()).isEqualTo("1/0");

        Response second = get(
                "/api/v1/tools/executions?limit=3&cursor="
                        + page.get("nextCursor").asString(),
                alice);
        JsonNode rest = second.json();
        assertThat(rest.get("items")).hasSize(1);
        assertThat(rest.get("nextCursor").isNull()).isTrue();
        assertThat(expressions(page, rest)).containsExactly("1/0", "3+0", "2+0", "1+0");
    }

    @Test
    void onlyAdminsMayReadAnotherUsersLog() {
        UUID carolId = UUID.randomUUID();
        executeOk(jwts.user(carolId), "current_time", Map.of());

        assertProblem(get("/api/v1/tools/executions?userId=" + carolId, newUser()), 403, "authorization");
        JsonNode asAdmin =
                get("/api/v1/tools/executions?userId=" + carolId, newAdmin()).json();
        assertThat(asAdmin.get("items")).hasSize(1);
        assertThat(asAdmin.get("items").get(0).get("tool").asString()).isEqualTo("current_time");
        assertProblem(get("/api/v1/tools/executions?limit=101", newUser()), 400, "validation");
    }

    @Test
    void secretsInParametersAreRedactedInTheLog() {
        String name = "redact_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = Map.of(
                "name",
                name,
                "description",
                "d",
                "parameters",
                Map.of("type", "object"),
                "endpoint",
                stubUrl("localhost") + "/echo");
        assertThat(post("/api/v1/tools", newAdmin(), body).status()).isEqualTo(201);
        String user = newUser();
        executeOk(user, name, Map.of("apiKey", "hunter2", "note", "y".repeat(500)));

        JsonNode logged = get("/api/v1/tools/executions?tool=" + name, user)
                .json()
                .get("items")
                .get(0);
        assertThat(logged.get("parameters").get("apiKey").asString()).isEqualTo("[redacted]");
        assertThat(logged.get("parameters").get("note").asString()).hasSize(201);
    }

    @Test
    void executionsAreCountedAndTimedInMetrics() {
        executeOk(newUser(), "calculator", Map.of("expression", "1+2"));

        String metrics = prometheus();
        assertThat(metrics).contains("agency_tool_executions_total{").contains("outcome=\"success\"");
        assertThat(metrics).contains("agency_tool_execution_seconds_count{").contains("tool=\"calculator\"");
    }

    private String prometheus() {
        try {
            return java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://localhost:" + port + "/actuator/prometheus"))
                                    .header("Accept", "text/plain")
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> expressions(JsonNode... pages) {
        List<String> out = new ArrayList<>();
        for (JsonNode page : pages) {
            page.get("items")
                    .forEach(i -> out.add(i.get("parameters").get("expression").asString()));
        }
        return out;
    }

    @Test
    void executionsOlderThanTheirRetentionArePurgedAndNewerOnesStay() {
        UUID userId = UUID.randomUUID();
        String user = jwts.user(userId);
        executeOk(user, "calculator", Map.of("expression", "1+1"));
        executeOk(user, "calculator", Map.of("expression", "2+2"));
        jdbc.sql("UPDATE executions SET created_at = now() - interval '91 days' "
                        + "WHERE user_id = :u AND parameters->>'expression' = '1+1'")
                .param("u", userId)
                .update();

        retention.purge();

        assertThat(jdbc.sql("SELECT parameters->>'expression' FROM executions WHERE user_id = :u")
                        .param("u", userId)
                        .query(String.class)
                        .list())
                .containsExactly("2+2");
    }
}
