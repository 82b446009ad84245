package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The coordinator of a user's data rights against the real database and, for the other services, a stub of their
 * account-data endpoints on a real HTTP server: an export gathers every service's kinds into one zip; an erasure
 * disables the account at once, is retried until every service confirms (also through failures), erases
 * auth-service's own data last and leaves no row of the user's name in auth's tables; and neither can be had without
 * re-authentication, by another user, or with the jobs' scope.
 */
class DataRightsTest extends AuthApiTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    private JdbcClient jdbc;

    private final AccountDataStub stub = AccountDataStub.shared();

    private Map<String, String> unzip(byte[] zip) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                files.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    private HttpResponse<byte[]> download(String path, String token) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode awaitExport(String path, String token) {
        JsonNode[] status = {null};
        await().atMost(WAIT).untilAsserted(() -> {
            Response response = get(path, token);
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            status[0] = response.json();
            assertThat(status[0].get("status").asString()).as(response.body()).isEqualTo("ready");
        });
        return status[0];
    }

    /** Rows of any table of auth's schema whose text contains {@code marker}, by table. */
    private Map<String, Long> rowsContaining(String marker) {
        Map<String, Long> found = new LinkedHashMap<>();
        String schema = jdbc.sql("SELECT current_schema()").query(String.class).single();
        for (String table : jdbc.sql("SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = :s AND table_type = 'BASE TABLE'")
                .param("s", schema)
                .query(String.class)
                .list()) {
            long n = jdbc.sql("SELECT count(*) FROM \"" + table + "\" t WHERE t::text ILIKE :m")
                    .param("m", "%" + marker + "%")
                    .query(Long.class)
                    .single();
            if (n > 0) {
                found.put(table, n);
            }
        }
        return found;
    }

    @Test
    void anExportGathersEveryServicesKindsIntoOneZipForItsOwnerOnly() throws Exception {
        Account me = register();
        Tokens tokens = loginOk(me.username(), me.password());
        send("POST", "/api/v1/auth/api-keys", tokens.accessToken(), (Object)
                Map.of("name", "export-test-key", "scopes", List.of("read")));
        for (String service : AccountDataStub.SERVICES) {
            stub.note(service, me.id(), "a note of mine in " + service);
        }
        Account other = register();
        stub.note("memory-service", other.id(), "someone else's note");

        Response started = send("POST", "/api/v1/users/me/export", tokens.accessToken(), (Object) null);
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String id = started.json().get("exportId").asString();
        JsonNode ready = awaitExport("/api/v1/users/me/exports/" + id, tokens.accessToken());
        assertThat(ready.get("progress").asDouble()).isEqualTo(1.0);

        HttpResponse<byte[]> zip = download("/api/v1/users/me/exports/" + id + "/download", tokens.accessToken());
        assertThat(zip.statusCode()).isEqualTo(200);
        assertThat(zip.headers().firstValue("Content-Type")).hasValue("application/zip");
        Map<String, String> files = unzip(zip.body());
        assertThat(files.keySet())
                .contains(
                        "auth-service/profile.ndjson",
                        "auth-service/api_keys.ndjson",
                        "auth-service/audit_events.ndjson",
                        "auth-service/usage_days.ndjson",
                        "memory-service/notes.ndjson",
                        "realtime-gateway/notes.ndjson",
                        "manifest.json");
        assertThat(files.get("auth-service/profile.ndjson"))
                .contains(me.username())
                .doesNotContain("passwordHash")
                .doesNotContain("$2");
        assertThat(files.get("auth-service/api_keys.ndjson"))
                .contains("export-test-key")
                .doesNotContain("keyHash");
        assertThat(files.get("auth-service/audit_events.ndjson")).contains("login.success");
        assertThat(files.get("memory-service/notes.ndjson"))
                .isEqualTo("{\"text\":\"a note of mine in memory-service\"}\n")
                .doesNotContain("someone else's");
        JsonNode manifest = JSON.readTree(files.get("manifest.json"));
        assertThat(manifest.get("userId").asString()).isEqualTo(me.id().toString());
        assertThat(manifest.get("files").size()).isEqualTo(files.size() - 1);

        // the services were called with the jobs' token: this user, scope account_data and nothing more
        assertThat(stub.tokens)
                .filteredOn(t -> t.path("sub").asString().equals(me.id().toString()))
                .isNotEmpty()
                .allSatisfy(t -> {
                    assertThat(t.path("scope").asString()).isEqualTo("account_data");
                    assertThat(t.path("purpose").asString()).isEqualTo("export");
                });

        // nobody else reads it; an admin does, under the admin paths
        String theirs = loginOk(other.username(), other.password()).accessToken();
        assertProblem(get("/api/v1/users/me/exports/" + id, theirs), 404, "not_found");
        assertThat(download("/api/v1/users/me/exports/" + id + "/download", theirs)
                        .statusCode())
                .isEqualTo(404);
        assertProblem(get("/api/v1/admin/exports/" + id, tokens.accessToken()), 403, "authorization");
        assertThat(get("/api/v1/admin/exports/" + id, adminToken()).status()).isEqualTo(200);
        Response byAdmin = send("POST", "/api/v1/admin/users/" + other.id() + "/export", adminToken(), (Object) null);
        assertThat(byAdmin.status()).isEqualTo(202);
        String adminExport = byAdmin.json().get("exportId").asString();
        awaitExport("/api/v1/admin/exports/" + adminExport, adminToken());
        assertThat(unzip(download("/api/v1/admin/exports/" + adminExport + "/download", adminToken())
                                .body())
                        .get("memory-service/notes.ndjson"))
                .contains("someone else's note");
    }

    @Test
    void anErasureIsRetriedUntilEveryServiceConfirmsAndLeavesNothingOfTheUser() throws Exception {
        Account me = register();
        String marker = me.username();
        Tokens tokens = loginOk(me.username(), me.password());
        send("POST", "/api/v1/auth/api-keys", tokens.accessToken(), (Object)
                Map.of("name", "key of " + marker, "scopes", List.of("read")));
        login(me.username(), "a wrong password"); // a login failure under the user's name
        stub.note("tool-service", me.id(), "a tool note");
        stub.failNext("orchestration-service", 3); // down for the first three attempts

        // without the password, or with a wrong one: nothing starts
        assertProblem(send("DELETE", "/api/v1/users/me", tokens.accessToken(), (Object) Map.of()), 400, "validation");
        assertProblem(
                send("DELETE", "/api/v1/users/me", tokens.accessToken(), (Object) Map.of("password", "wrong")),
                403,
                "authorization");
        assertThat(get("/api/v1/users/me", tokens.accessToken()).status()).isEqualTo(200);

        Response started =
                send("DELETE", "/api/v1/users/me", tokens.accessToken(), (Object) Map.of("password", me.password()));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String erasure = started.json().get("erasureId").asString();
        assertThat(get("/api/v1/users/me", tokens.accessToken()).status())
                .as("the account's tokens stop working at once")
                .isEqualTo(401);
        assertThat(login(me.username(), me.password()).status()).isEqualTo(401);

        String admin = adminToken();
        JsonNode[] report = {null};
        await().atMost(WAIT).untilAsserted(() -> {
            report[0] = get("/api/v1/admin/erasures/" + erasure, admin).json();
            assertThat(report[0].get("status").asString())
                    .as(report[0].toString())
                    .isEqualTo("done");
        });
        assertThat(report[0].get("services").properties())
                .extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder(
                        "memory-service", "tool-service", "orchestration-service", "realtime-gateway", "auth-service");
        report[0]
                .get("services")
                .properties()
                .forEach(e -> assertThat(e.getValue().asString()).isEqualTo("done"));
        JsonNode orchestration = null;
        for (JsonNode d : report[0].get("details")) {
            if (d.get("service").asString().equals("orchestration-service")) {
                orchestration = d;
            }
        }
        assertThat(orchestration.get("attempts").asInt())
                .as("retried through the failures")
                .isEqualTo(4);
        assertThat(stub.notes("tool-service", me.id())).isEmpty();
        assertThat(stub.erasures.get("tool-service " + me.id()).get()).isEqualTo(1);

        assertThat(rowsContaining(marker))
                .as("no table of auth's schema holds the user's name")
                .isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM users WHERE id = :u")
                        .param("u", me.id())
                        .query(Long.class)
                        .single())
                .isZero();
        JsonNode erased = get("/api/v1/admin/audit?type=user.erased&userId=" + me.id(), admin)
                .json()
                .get("items");
        assertThat(erased).hasSize(1);
        assertThat(erased.get(0).get("details").get("erasureId").asString()).isEqualTo(erasure);
    }

    @Test
    void onlyAdminsEraseOthers() {
        Account victim = register();
        Account attacker = register();
        String attackerToken = loginOk(attacker.username(), attacker.password()).accessToken();
        assertProblem(
                send("DELETE", "/api/v1/admin/users/" + victim.id(), attackerToken, (Object) null),
                403,
                "authorization");
        assertThat(loginOk(victim.username(), victim.password()).accessToken()).isNotBlank();

        stub.failNext("memory-service", 1000); // keeps the erasure running for the checks below
        Response byAdmin = send("DELETE", "/api/v1/admin/users/" + victim.id(), adminToken(), (Object) null);
        assertThat(byAdmin.status()).isEqualTo(202);
        assertThat(send("DELETE", "/api/v1/admin/users/" + victim.id(), adminToken(), (Object) null)
                        .json()
                        .get("erasureId")
                        .asString())
                .as("asking again answers the running erasure")
                .isEqualTo(byAdmin.json().get("erasureId").asString());
        Response enabled = send("POST", "/api/v1/admin/users/" + victim.id() + "/enable", adminToken(), (Object) null);
        assertProblem(enabled, 409, "conflict"); // an erased account must not come back to write again
        stub.failNext("memory-service", 0);
        assertProblem(
                send("DELETE", "/api/v1/admin/users/" + UUID.randomUUID(), adminToken(), (Object) null),
                404,
                "not_found");
        UUID rootAdmin = UUID.fromString(
                get("/api/v1/users/me", adminToken()).json().get("id").asString());
        assertProblem(send("DELETE", "/api/v1/admin/users/" + rootAdmin, adminToken(), (Object) null), 409, "conflict");
    }
}
