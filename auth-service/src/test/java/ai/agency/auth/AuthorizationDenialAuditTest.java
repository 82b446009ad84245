package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.audit.AuditReporterProperties;
import ai.agency.common.audit.AuthorizationDenial;
import ai.agency.common.audit.HttpAuditReporter;
import ai.agency.common.testsupport.TestHttp.Response;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Authorization denials in the audit log: auth-service's own, and those other services report over HTTP. */
class AuthorizationDenialAuditTest extends AuthApiTest {

    private static final String INGEST = "/api/v1/audit/events";

    private JsonNode denials(Account account, String extraQuery) {
        Response response =
                get("/api/v1/admin/audit?type=authorization.denied&userId=" + account.id() + extraQuery, adminToken());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("items");
    }

    private long storedDenials() {
        return jdbc.sql("SELECT count(*) FROM audit_events WHERE type = 'authorization.denied'")
                .query(Long.class)
                .single();
    }

    private static Map<String, Object> event(String path) {
        Map<String, Object> event = new HashMap<>();
        event.put("service", "memory-service");
        event.put("method", "DELETE");
        event.put("path", path);
        event.put("reason", "denied by hasAnyRole('user', 'admin')");
        event.put("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
        return event;
    }

    @Test
    void aDenialInsideAuthServiceIsRecordedAndQueryable() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        Response denied = get("/api/v1/admin/users", token);
        assertProblem(denied, 403, "authorization");

        JsonNode items = denials(account, "");
        assertThat(items).hasSize(1);
        JsonNode event = items.get(0);
        assertThat(event.get("userId").asString()).isEqualTo(account.id().toString());
        JsonNode details = event.get("details");
        assertThat(details.get("service").asString()).isEqualTo("auth-service");
        assertThat(details.get("method").asString()).isEqualTo("GET");
        assertThat(details.get("path").asString()).isEqualTo("/api/v1/admin/users");
        // the platform's scope rule refuses first: a user's token has no manage_users scope
        assertThat(details.get("reason").asString()).contains("manage_users");
        assertThat(details.get("source").asString()).isEqualTo("local");
        assertThat(details.get("traceId").asString())
                .isEqualTo(denied.json().get("traceId").asString());
        assertThat(details.toString()).doesNotContain(token);
        // the time filters apply as to every event
        assertThat(denials(account, "&from=" + Instant.now().plusSeconds(60))).isEmpty();
    }

    @Test
    void aReportedDenialIsRecordedForTheTokensUserWhateverTheBodyClaims() {
        Account account = register();
        Account victim = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        Map<String, Object> forged = event("/api/v1/memories/123");
        forged.put("actor", victim.id().toString());
        forged.put("actorId", victim.id().toString());
        forged.put("userId", victim.id().toString());
        forged.put("roles", List.of("admin"));

        Response response = send("POST", INGEST, token, (Object) Map.of("events", List.of(forged)));

        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(response.json().get("recorded").asInt()).isEqualTo(1);
        JsonNode event = denials(account, "").get(0);
        assertThat(event.get("userId").asString()).isEqualTo(account.id().toString());
        assertThat(event.get("actorId").isNull()).isTrue();
        JsonNode details = event.get("details");
        assertThat(details.get("service").asString()).isEqualTo("memory-service");
        assertThat(details.get("path").asString()).isEqualTo("/api/v1/memories/123");
        assertThat(details.get("source").asString()).isEqualTo("reported");
        assertThat(details.get("roles").toString()).isEqualTo("[\"user\"]");
        assertThat(denials(victim, "")).isEmpty();
    }

    @Test
    void commonLibsReporterDeliversToTheRealEndpoint() throws Exception {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        HttpAuditReporter reporter = new HttpAuditReporter(
                URI.create("http://localhost:" + port + INGEST),
                new AuditReporterProperties(true, "", 10, 10, Duration.ofSeconds(2), Duration.ofSeconds(10)),
                meters);
        try {
            for (int i = 0; i < 3; i++) {
                reporter.denied(new AuthorizationDenial(
                        "tool-service",
                        "POST",
                        "/api/v1/tools/t" + i,
                        account.id().toString(),
                        List.of("user"),
                        "Only admins may register or delete tools",
                        "trace-" + i,
                        Instant.now(),
                        token));
            }
            Awaitility.await()
                    .atMost(30, TimeUnit.SECONDS)
                    .until(() -> denials(account, "").size() == 3);
        } finally {
            reporter.destroy();
        }
        List<String> paths = new ArrayList<>();
        denials(account, "").forEach(e -> paths.add(e.get("details").get("path").asString()));
        assertThat(paths).containsExactlyInAnyOrder("/api/v1/tools/t0", "/api/v1/tools/t1", "/api/v1/tools/t2");
    }

    @Test
    void reportsNeedAValidTokenAndValidEvents() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        long before = storedDenials();

        assertProblem(
                send("POST", INGEST, null, (Object) Map.of("events", List.of(event("/x")))), 401, "authentication");
        assertProblem(
                send("POST", INGEST, "not-a-token", (Object) Map.of("events", List.of(event("/x")))),
                401,
                "authentication");
        assertProblem(send("POST", INGEST, token, (Object) Map.of("events", List.of())), 400, "validation");
        assertProblem(send("POST", INGEST, token, (Object) Map.of()), 400, "validation");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add(event("/x"));
        }
        assertProblem(send("POST", INGEST, token, (Object) Map.of("events", tooMany)), 400, "validation");
        Map<String, Object> sql = event("/x");
        sql.put("service", "x'; DROP TABLE audit_events; --");
        Map<String, Object> longPath = event("/" + "a".repeat(600));
        Map<String, Object> badMethod = event("/x");
        badMethod.put("method", "delete me");
        Map<String, Object> noPath = event("relative");
        for (Map<String, Object> bad : List.of(sql, longPath, badMethod, noPath)) {
            // one bad event refuses the whole batch
            assertProblem(
                    send("POST", INGEST, token, (Object) Map.of("events", List.of(event("/ok"), bad))),
                    400,
                    "validation");
        }
        assertProblem(send("POST", INGEST, token, "{\"events\": [ "), 400, "validation");

        assertThat(storedDenials()).isEqualTo(before);
    }

    @Test
    void oneCallerCannotFloodTheLog() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        List<Map<String, Object>> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(event("/flood/" + i));
        }

        assertThat(send("POST", INGEST, token, (Object) Map.of("events", hundred))
                        .status())
                .isEqualTo(202);
        Response limited = send("POST", INGEST, token, (Object) Map.of("events", hundred));
        // 200 > 120 a minute, unless the minute turned between the two calls
        if (limited.status() != 202) {
            assertProblem(limited, 429, "rate_limit");
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        } else {
            assertProblem(send("POST", INGEST, token, (Object) Map.of("events", hundred)), 429, "rate_limit");
        }
    }
}
