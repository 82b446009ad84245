package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.testsupport.TestHttp.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AuditLogTest extends AuthApiTest {

    private List<String> typesFor(Account account, String admin) {
        Response response = get("/api/v1/admin/audit?limit=100&userId=" + account.id(), admin);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> types = new ArrayList<>();
        response.json().get("items").forEach(e -> types.add(e.get("type").asString()));
        return types;
    }

    @Test
    void securityEventsAreRecordedWithoutSecrets() {
        Account account = register();
        String wrongPassword = "wrong-secret-" + Instant.now().toEpochMilli();
        loginFrom(randomAddress(), account.username(), wrongPassword);
        Tokens tokens = loginOk(account.username(), account.password());
        String rotated =
                refresh(tokens.refreshToken()).json().get("refreshToken").asString();
        refresh(tokens.refreshToken()); // reuse
        Tokens second = loginOk(account.username(), account.password());
        post("/api/v1/auth/logout", Map.of("refreshToken", second.refreshToken()));
        JsonNode key = send("POST", "/api/v1/auth/api-keys", second.accessToken(), (Object)
                        Map.of("name", "audit me", "scopes", List.of("read")))
                .json();
        send("DELETE", "/api/v1/auth/api-keys/" + key.get("id").asString(), second.accessToken(), (String) null);
        String admin = adminToken();
        send("PUT", "/api/v1/admin/users/" + account.id() + "/roles", admin, (Object)
                Map.of("roles", List.of("viewer")));
        send("POST", "/api/v1/admin/users/" + account.id() + "/disable", admin, (String) null);

        assertThat(typesFor(account, admin))
                .contains(
                        "login.failure",
                        "login.success",
                        "token.refresh",
                        "token.reuse_detected",
                        "logout",
                        "api_key.created",
                        "api_key.revoked",
                        "user.roles_changed",
                        "user.disabled");
        String everything = jdbc.sql("SELECT string_agg(details::text, ' ') FROM audit_events WHERE user_id = :u")
                .param("u", account.id())
                .query(String.class)
                .single();
        assertThat(everything)
                .doesNotContain(wrongPassword)
                .doesNotContain(account.password())
                .doesNotContain(tokens.refreshToken())
                .doesNotContain(rotated)
                .doesNotContain(key.get("key").asString());
    }

    @Test
    void theLogIsFilteredByTypeAndTimeAndPaged() {
        Account account = register();
        for (int i = 0; i < 3; i++) {
            loginOk(account.username(), account.password());
        }
        String admin = adminToken();
        String base = "/api/v1/admin/audit?type=login.success&userId=" + account.id();

        Response first = get(base + "&limit=2", admin);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().get("items").size()).isEqualTo(2);
        first.json().get("items").forEach(e -> {
            assertThat(e.get("type").asString()).isEqualTo("login.success");
            assertThat(e.get("userId").asString()).isEqualTo(account.id().toString());
        });
        String cursor = first.json().get("nextCursor").asString();
        Response second = get(base + "&limit=2&cursor=" + cursor, admin);
        assertThat(second.json().get("items").size()).isEqualTo(1);
        assertThat(second.json().get("nextCursor").isNull()).isTrue();

        assertThat(get(base + "&from=" + Instant.now().plusSeconds(3600), admin)
                        .json()
                        .get("items")
                        .size())
                .isZero();
        assertThat(get(base + "&to=" + Instant.now().plusSeconds(3600), admin)
                        .json()
                        .get("items")
                        .size())
                .isEqualTo(3);
    }

    @Test
    void badFiltersAre400() {
        String admin = adminToken();

        assertProblem(get("/api/v1/admin/audit?userId=not-a-uuid", admin), 400, "validation");
        assertProblem(get("/api/v1/admin/audit?from=yesterday", admin), 400, "validation");
        assertProblem(get("/api/v1/admin/audit?cursor=%21%21", admin), 400, "validation");
    }

    @Test
    void theTableIsAppendOnly() {
        jdbc.sql("INSERT INTO audit_events (type) VALUES ('test.append_only')").update(); // at least one row to refuse
        assertThatThrownBy(() -> jdbc.sql("UPDATE audit_events SET type = 'x'").update())
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("DELETE FROM audit_events").update()).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("TRUNCATE audit_events").update()).hasMessageContaining("append-only");
    }
}
