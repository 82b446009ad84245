package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * Hostile cases not covered elsewhere: SQL-looking and oversized values in the fields of the public
 * endpoints → 400 naming the field (or the same 401 as any unknown name), and nothing stored or changed.
 */
class HostileInputTest extends AuthApiTest {

    private static final String SQL = "x' OR '1'='1'; DROP TABLE users; --";

    private long users() {
        return jdbc.sql("SELECT count(*) FROM users").query(Long.class).single();
    }

    @ParameterizedTest(name = "register {0}")
    @CsvSource({"username, 5000", "email, 300", "password, 257", "username, sql", "email, sql"})
    void registrationWithSqlOrOversizedFieldsIs400AndStoresNothing(String field, String value) {
        String username = uniqueUsername("hostile");
        Map<String, String> body =
                new HashMap<>(Map.of("username", username, "email", username + "@example.com", "password", PASSWORD));
        String bad = value.equals("sql") ? SQL : "a".repeat(Integer.parseInt(value));
        body.put(field, field.equals("email") && !value.equals("sql") ? bad + "@example.com" : bad);
        long before = users();

        JsonNode problem = assertProblem(post("/api/v1/auth/register", body), 400, "validation");

        assertThat(errorFields(problem)).containsOnly(field);
        assertThat(users()).isEqualTo(before);
        assertThat(jdbc.sql("SELECT count(*) FROM users WHERE lower(username) = lower(:u)")
                        .param("u", username)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @ParameterizedTest(name = "login {0}")
    @CsvSource({"username, 65", "password, 257", "totpCode, 33"})
    void oversizedLoginFieldsAre400(String field, int length) {
        Account account = register();
        Map<String, String> body =
                new HashMap<>(Map.of("username", account.username(), "password", account.password()));
        body.put(field, "9".repeat(length));

        assertThat(errorFields(assertProblem(post("/api/v1/auth/login", body), 400, "validation")))
                .containsExactly(field);
    }

    @Test
    void aSqlLookingUsernameAtLoginIsJustAnUnknownName() {
        long before = users();

        Response response = loginFrom(randomAddress(), SQL.substring(0, 30), "whatever password");

        JsonNode problem = assertProblem(response, 401, "authentication");
        assertThat(problem.get("reason").asString()).isEqualTo("bad_credentials");
        assertThat(users()).isEqualTo(before).isPositive();
        // the admin still logs in: nothing was changed
        assertThat(adminToken()).isNotBlank();
    }

    @Test
    void oversizedTokensAre400() {
        String huge = "agr_" + "A".repeat(300);

        assertThat(errorFields(
                        assertProblem(post("/api/v1/auth/refresh", Map.of("refreshToken", huge)), 400, "validation")))
                .containsExactly("refreshToken");
        assertThat(errorFields(
                        assertProblem(post("/api/v1/auth/logout", Map.of("refreshToken", huge)), 400, "validation")))
                .containsExactly("refreshToken");
        assertThat(errorFields(
                        assertProblem(post("/api/v1/auth/api-keys/exchange", Map.of("key", huge)), 400, "validation")))
                .containsExactly("key");
    }

    @Test
    void sqlInAnApiKeyNameOrScopeIs400AndStoresNothing() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        assertProblem(
                send("POST", "/api/v1/auth/api-keys", token, (Object) Map.of("name", SQL, "scopes", List.of("read"))),
                400,
                "validation");
        assertProblem(
                send("POST", "/api/v1/auth/api-keys", token, (Object)
                        Map.of("name", "ok", "scopes", List.of("read'; --"))),
                400,
                "validation");

        assertThat(jdbc.sql("SELECT count(*) FROM api_keys WHERE user_id = :u")
                        .param("u", account.id())
                        .query(Long.class)
                        .single())
                .isZero();
    }
}
