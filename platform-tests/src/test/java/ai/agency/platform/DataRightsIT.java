package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestDatabase;
import ai.agency.platform.Api.Reply;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A user's data rights on the real jars, through the gateway: someone who used every service (a memory, a chat turn
 * with a tool call, an agent, a workflow and its run, a collaboration session) exports it all as
 * one zip with a file per service and kind, then deletes the account; the erasure, coordinated by auth-service, is
 * confirmed by every service, and afterwards no row of any table of any schema holds the user's marker — while
 * another user's data, with a marker of their own, is untouched.
 */
class DataRightsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static RunningPlatform platform;
    private static URI gateway;

    @BeforeAll
    static void startPlatform() {
        platform = RunningPlatform.get();
        gateway = platform.gateway();
    }

    private static Reply call(String method, String path, String token, String json) {
        Reply reply = Api.send(gateway, method, path, token, json, json == null ? null : "application/json");
        assertThat(reply.status()).as(method + " " + path + " " + reply.body()).isBetween(200, 204);
        return reply;
    }

    /** Leaves text with {@code marker} in every service, as a user of the platform does. */
    private static void useEverything(Api.User user, String marker) {
        String token = user.token();
        call("POST", "/api/v1/memories", token, """
                {"content": "My %s is a blue heron", "infer": false}""".formatted(marker));
        String agent = call("POST", "/api/v1/agents", token, """
                        {"name": "agent %s", "description": "", "capabilities": [], "systemPrompt": "You help %s",
                         "model": {"provider": "local", "name": "local-echo"}, "tools": ["calculator"]}""".formatted(marker, marker))
                .json()
                .get("id")
                .asString();
        String conversation = call("POST", "/api/v1/conversations", token, "{\"agentId\": \"" + agent + "\"}")
                .json()
                .get("id")
                .asString();
        call(
                "POST",
                "/api/v1/conversations/" + conversation + "/messages",
                token,
                "{\"content\": \"What is 17 * 23? Say it to " + marker + "\"}");
        String workflow = call("POST", "/api/v1/workflows", token, """
                        {"name": "workflow %s", "steps": [
                          {"id": "echo", "type": "transform", "input": {"who": "{{input.who}}"}}]}""".formatted(marker))
                .json()
                .get("id")
                .asString();
        call("POST", "/api/v1/workflows/" + workflow + "/runs", token, "{\"input\": {\"who\": \"" + marker + "\"}}");
        call("POST", "/api/v1/sessions", token, "{\"purpose\": \"session of " + marker + "\", \"userIds\": []}");
    }

    private static Map<String, String> unzip(byte[] zip) throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                files.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    /** Every table of every schema of the platform's database whose rows' text contains {@code marker}. */
    private static Map<String, Long> rowsContaining(String marker) throws Exception {
        TestDatabase.Coordinates db = platform.database();
        Map<String, Long> found = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(db.url(), db.username(), db.password())) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = connection
                    .createStatement()
                    .executeQuery("SELECT table_schema, table_name FROM information_schema.tables"
                            + " WHERE table_type = 'BASE TABLE'"
                            + " AND table_schema NOT IN ('pg_catalog', 'information_schema')")) {
                while (rs.next()) {
                    tables.add("\"" + rs.getString(1) + "\".\"" + rs.getString(2) + "\"");
                }
            }
            assertThat(tables).hasSizeGreaterThan(30);
            for (String table : tables) {
                try (PreparedStatement count =
                        connection.prepareStatement("SELECT count(*) FROM " + table + " t WHERE t::text LIKE ?")) {
                    count.setString(1, "%" + marker + "%");
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            found.put(table, rs.getLong(1));
                        }
                    }
                }
            }
        }
        return found;
    }

    @Test
    void aUserExportsEverythingThenIsErasedFromEveryServiceAndNoTableHoldsTheirText() throws Exception {
        Api.User me = Api.newUser(gateway);
        Api.User other = Api.newUser(gateway);
        String marker = "mk" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String othersMarker =
                "ot" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        useEverything(me, marker);
        useEverything(other, othersMarker);
        await().atMost(WAIT).until(() -> rowsContaining(marker).size() >= 5);
        Map<String, Long> before = rowsContaining(marker);

        // export: one zip, a file per service and kind, the user's texts in it and nobody else's
        String exportId = call("POST", "/api/v1/users/me/export", me.token(), null)
                .json()
                .get("exportId")
                .asString();
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(call("GET", "/api/v1/users/me/exports/" + exportId, me.token(), null)
                                .json()
                                .get("status")
                                .asString())
                        .isEqualTo("ready"));
        HttpResponse<byte[]> zip = HTTP.send(
                HttpRequest.newBuilder(gateway.resolve("/api/v1/users/me/exports/" + exportId + "/download"))
                        .header("Authorization", "Bearer " + me.token())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(zip.statusCode()).isEqualTo(200);
        Map<String, String> files = unzip(zip.body());
        List<String> services = files.keySet().stream()
                .filter(f -> f.contains("/"))
                .map(f -> f.substring(0, f.indexOf('/')))
                .distinct()
                .toList();
        assertThat(services)
                .containsExactlyInAnyOrder(
                        "auth-service", "memory-service", "tool-service", "orchestration-service", "realtime-gateway");
        for (String service : services) {
            String exported = files.entrySet().stream()
                    .filter(f -> f.getKey().startsWith(service + "/"))
                    .map(Map.Entry::getValue)
                    .reduce("", String::concat);
            assertThat(exported)
                    .as(service + " exported something of the user's")
                    .isNotBlank();
            if (!service.equals("tool-service")) { // its records are the chat's calculator call: "17 * 23"
                assertThat(exported).as(service).containsAnyOf(marker, me.username());
            }
        }
        assertThat(String.join("\n", files.values())).doesNotContain(othersMarker);

        // erasure: re-authenticated, confirmed by every service, nothing of the user's text left anywhere
        String erasureId = call("DELETE", "/api/v1/users/me", me.token(), "{\"password\": \"" + me.password() + "\"}")
                .json()
                .get("erasureId")
                .asString();
        String admin = Api.login(gateway, "admin", platform.adminPassword);
        JsonNode[] report = {null};
        await().atMost(WAIT).untilAsserted(() -> {
            report[0] = call("GET", "/api/v1/admin/erasures/" + erasureId, admin, null)
                    .json();
            assertThat(report[0].get("status").asString())
                    .as(report[0].toString())
                    .isEqualTo("done");
        });
        report[0]
                .get("services")
                .properties()
                .forEach(s -> assertThat(s.getValue().asString()).as(s.getKey()).isEqualTo("done"));
        assertThat(rowsContaining(marker))
                .as("no table of any service holds the erased user's text (before: " + before + ")")
                .isEmpty();
        assertThat(rowsContaining(me.username())).as("nor their name").isEmpty();
        assertThat(Api.send(gateway, "GET", "/api/v1/memories", me.token(), null, null)
                        .status())
                .isEqualTo(401);

        // the other user is untouched
        assertThat(rowsContaining(othersMarker)).hasSameSizeAs(before);
        assertThat(call("GET", "/api/v1/memories", other.token(), null).body()).contains(othersMarker);
    }
}
