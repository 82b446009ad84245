package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.flags.FlagsProperties;
import ai.agency.common.flags.HttpFlagStore;
import ai.agency.common.testsupport.TestHttp.Response;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The admin API of feature flags, its audit, and the services' feed read by common-lib's store. */
class FeatureFlagsTest extends AuthApiTest {

    private static final String PATH = "/api/v1/admin/flags/";

    private Response put(String key, String token, Object body) {
        return send("PUT", PATH + key, token, body);
    }

    @Test
    void anAdminCreatesChangesAndDeletesAFlagAndEachChangeIsAudited() {
        String admin = adminToken();
        Response created =
                put("chat.new-ui", admin, Map.of("enabled", true, "percentage", 25, "roles", List.of("admin")));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().get("percentage").asInt()).isEqualTo(25);
        assertThat(created.json().get("roles").toString()).isEqualTo("[\"admin\"]");
        assertThat(created.json().get("updatedBy").isNull()).isFalse();

        Response changed = put("chat.new-ui", admin, Map.of("enabled", false, "description", "kill switch"));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("enabled").asBoolean()).isFalse();
        assertThat(changed.json().get("percentage").asInt()).as("absent: 100").isEqualTo(100);
        assertThat(changed.json().get("roles").size()).isZero();
        assertThat(get(PATH + "chat.new-ui", admin).json().get("description").asString())
                .isEqualTo("kill switch");
        assertThat(get("/api/v1/admin/flags", admin).json().get("items").toString())
                .contains("\"key\":\"chat.new-ui\"");

        assertThat(send("DELETE", PATH + "chat.new-ui", admin, (String) null).status())
                .isEqualTo(204);
        assertProblem(get(PATH + "chat.new-ui", admin), 404, "not_found");
        assertProblem(send("DELETE", PATH + "chat.new-ui", admin, (String) null), 404, "not_found");

        List<String> audited = jdbc.sql("SELECT type || ' ' || (details->>'enabled') FROM audit_events "
                        + "WHERE details->>'key' = 'chat.new-ui' AND actor_id IS NOT NULL ORDER BY id")
                .query(String.class)
                .list();
        assertThat(audited).containsExactly("flag.changed true", "flag.changed false", "flag.deleted false");
    }

    @Test
    void onlyAdminsChangeOrReadFlags() {
        Account account = register();
        String user = loginOk(account.username(), account.password()).accessToken();
        assertProblem(get("/api/v1/admin/flags", null), 401, "authentication");
        assertProblem(get("/api/v1/admin/flags", user), 403, "authorization");
        assertProblem(put("mine", user, Map.of("enabled", true)), 403, "authorization");
        assertProblem(send("DELETE", PATH + "mine", user, (String) null), 403, "authorization");
        String viewer = accountWithRoles(register(), List.of("viewer")).accessToken();
        assertProblem(put("mine", viewer, Map.of("enabled", true)), 403, "authorization");
        assertThat(jdbc.sql("SELECT count(*) FROM feature_flags WHERE key = 'mine'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void badFlagsAre400ProblemsNamingTheField() {
        String admin = adminToken();
        assertThat(errorFields(assertProblem(
                        put("ok-flag", admin, Map.of("enabled", true, "percentage", 101)), 400, "validation")))
                .contains("percentage");
        assertThat(errorFields(assertProblem(
                        put("ok-flag", admin, Map.of("enabled", true, "percentage", -1)), 400, "validation")))
                .contains("percentage");
        assertThat(errorFields(assertProblem(put("ok-flag", admin, Map.of("percentage", 5)), 400, "validation")))
                .contains("enabled");
        assertThat(errorFields(assertProblem(put("Bad_Key!", admin, Map.of("enabled", true)), 400, "validation")))
                .contains("key");
        assertThat(errorFields(assertProblem(put("x".repeat(65), admin, Map.of("enabled", true)), 400, "validation")))
                .contains("key");
        assertThat(errorFields(assertProblem(
                        put("ok-flag", admin, Map.of("enabled", true, "roles", List.of("Admin; DROP"))),
                        400,
                        "validation")))
                .contains("roles");
        assertThat(errorFields(assertProblem(
                        put("ok-flag", admin, Map.of("enabled", true, "description", "d".repeat(501))),
                        400,
                        "validation")))
                .contains("description");
        assertProblem(send("PUT", PATH + "ok-flag", admin, "{\"enabled\": \"perhaps\"}"), 400, "validation");
        assertProblem(send("PUT", PATH + "ok-flag", admin, "not json"), 400, "validation");
        assertThat(jdbc.sql("SELECT count(*) FROM feature_flags WHERE key = 'ok-flag'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void theServicesReadTheFlagsOnlyWithTheirSharedSecret() {
        String admin = adminToken();
        assertThat(put("feed.flag", admin, Map.of("enabled", true, "percentage", 30))
                        .status())
                .isEqualTo(200);

        assertProblem(get(FlagsProperties.PATH, null), 401, "authentication");
        assertProblem(
                send("GET", FlagsProperties.PATH, null, null, Map.of("Agency-Usage-Secret", "wrong-secret-value")),
                401,
                "authentication");
        Response feed = send("GET", FlagsProperties.PATH, null, null, Map.of("Agency-Usage-Secret", USAGE_SECRET));
        assertThat(feed.status()).as(feed.body()).isEqualTo(200);
        JsonNode flag = null;
        for (JsonNode f : feed.json().get("flags")) {
            if (f.get("key").asString().equals("feed.flag")) {
                flag = f;
            }
        }
        assertThat(flag).isNotNull();
        assertThat(flag.get("percentage").asInt()).isEqualTo(30);

        HttpFlagStore store = new HttpFlagStore(
                URI.create("http://localhost:" + port),
                new FlagsProperties("http", "", Duration.ofSeconds(1), USAGE_SECRET, Duration.ofSeconds(2)));
        assertThat(store.refresh()).isTrue();
        assertThat(store.get("feed.flag")).isNotNull();
        assertThat(store.get("feed.flag").percentage()).isEqualTo(30);
    }
}
