package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Password change, log out everywhere, the admin-initiated reset and the common-password rule.
 * Each revocation must end every other session at once (here: at auth-service; SecurityIT checks the other services).
 */
class PasswordAndSessionsTest extends AuthApiTest {

    private Response change(String token, String current, String next) {
        return send("POST", "/api/v1/users/me/password", token, (Object)
                Map.of("currentPassword", current, "newPassword", next));
    }

    private static void awaitRefused(AuthApiTest test, String token) {
        await().atMost(Duration.ofSeconds(1))
                .untilAsserted(() -> assertProblem(test.get("/api/v1/users/me", token), 401, "authentication"));
    }

    @Test
    void changingThePasswordEndsEveryOtherSession() {
        Account account = register();
        Tokens here = loginOk(account.username(), account.password());
        Tokens elsewhere = loginOk(account.username(), account.password());

        Response changed = change(here.accessToken(), account.password(), "violet kettle on the moon");

        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        String fresh = changed.json().get("accessToken").asString();
        awaitRefused(this, elsewhere.accessToken());
        awaitRefused(this, here.accessToken());
        assertProblem(refresh(elsewhere.refreshToken()), 401, "authentication");
        assertThat(get("/api/v1/users/me", fresh).status()).isEqualTo(200);
        assertThat(refresh(changed.json().get("refreshToken").asString()).status())
                .isEqualTo(200);
        assertThat(login(account.username(), account.password()).status()).isEqualTo(401);
        assertThat(login(account.username(), "violet kettle on the moon").status())
                .isEqualTo(200);
    }

    @Test
    void aWrongCurrentPasswordChangesNothing() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        assertProblem(change(token, "not the password", "violet kettle on the moon"), 403, "authorization");

        assertThat(get("/api/v1/users/me", token).status()).isEqualTo(200);
        assertThat(login(account.username(), account.password()).status()).isEqualTo(200);
    }

    @Test
    void commonAndGuessablePasswordsAreRefusedOnSignUpChangeAndReset() {
        for (String weak :
                List.of("1234567890", "password123", "aaaaaaaaaa", "Football2024!", "qwertyuiop", "ababababab")) {
            String username = uniqueUsername("weak");
            JsonNode problem = assertProblem(
                    post(
                            "/api/v1/auth/register",
                            Map.of("username", username, "email", username + "@example.com", "password", weak)),
                    400,
                    "validation");
            assertThat(errorFields(problem)).as(weak).contains("password");
        }
        String username = uniqueUsername("ctx");
        assertProblem(
                post(
                        "/api/v1/auth/register",
                        Map.of(
                                "username",
                                username,
                                "email",
                                username + "@example.com",
                                "password",
                                "my name is " + username)),
                400,
                "validation");

        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        JsonNode problem = assertProblem(change(token, account.password(), "password1234"), 400, "validation");
        assertThat(errorFields(problem)).contains("newPassword");
        assertThat(login(account.username(), account.password()).status()).isEqualTo(200);
    }

    @Test
    void logoutEverywhereRevokesEveryTokenIssuedBefore() {
        Account account = register();
        Tokens one = loginOk(account.username(), account.password());
        Tokens two = loginOk(account.username(), account.password());

        Response out = send("POST", "/api/v1/auth/logout-all", one.accessToken(), (String) null);

        assertThat(out.status()).as(out.body()).isEqualTo(204);
        awaitRefused(this, one.accessToken());
        awaitRefused(this, two.accessToken());
        assertProblem(refresh(one.refreshToken()), 401, "authentication");
        assertProblem(refresh(two.refreshToken()), 401, "authentication");
        String again = loginOk(account.username(), account.password()).accessToken();
        assertThat(get("/api/v1/users/me", again).status()).isEqualTo(200);
    }

    @Test
    void anAdminResetCodeWorksOnceForItsUserAndEndsEverySession() {
        Account account = register();
        Account other = register();
        String session = loginOk(account.username(), account.password()).accessToken();

        Response issued =
                send("POST", "/api/v1/admin/users/" + account.id() + "/password-reset", adminToken(), (String) null);

        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        String code = issued.json().get("resetCode").asString();
        assertThat(Instant.parse(issued.json().get("expiresAt").asString()))
                .isBefore(Instant.now().plus(Duration.ofMinutes(61)));
        Map<String, String> wrongUser =
                Map.of("username", other.username(), "resetCode", code, "newPassword", "violet kettle on the moon");
        assertProblem(post("/api/v1/auth/password-reset", wrongUser), 401, "authentication");

        Response reset = post(
                "/api/v1/auth/password-reset",
                Map.of("username", account.username(), "resetCode", code, "newPassword", "violet kettle on the moon"));

        assertThat(reset.status()).as(reset.body()).isEqualTo(204);
        awaitRefused(this, session);
        assertThat(login(account.username(), "violet kettle on the moon").status())
                .isEqualTo(200);
        assertProblem(
                post(
                        "/api/v1/auth/password-reset",
                        Map.of("username", account.username(), "resetCode", code, "newPassword", "another long one!!")),
                401,
                "authentication");
        assertThat(login(other.username(), other.password()).status()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT count(*) FROM password_resets WHERE code_hash = :c")
                        .param("c", code)
                        .query(Long.class)
                        .single())
                .as("only the hash is stored")
                .isZero();
    }

    @Test
    void onlyAnAdminIssuesResetCodes() {
        Account account = register();
        Account victim = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        assertProblem(
                send("POST", "/api/v1/admin/users/" + victim.id() + "/password-reset", token, (String) null),
                403,
                "authorization");
    }

    @Test
    void aTokenFromAnApiKeyCannotChangeThePasswordOrLogEveryoneOut() {
        Account account = register();
        String owner = loginOk(account.username(), account.password()).accessToken();
        String key = send("POST", "/api/v1/auth/api-keys", owner, (Object)
                        Map.of("name", "k", "scopes", List.of("read", "write", "delete")))
                .json()
                .get("key")
                .asString();
        String viaKey = send("POST", "/api/v1/auth/api-keys/exchange", null, "{}", Map.of("X-API-Key", key))
                .json()
                .get("accessToken")
                .asString();

        assertProblem(change(viaKey, account.password(), "violet kettle on the moon"), 403, "authorization");
        assertProblem(send("POST", "/api/v1/auth/logout-all", viaKey, (String) null), 403, "authorization");
        assertThat(get("/api/v1/users/me", owner).status()).isEqualTo(200);
    }
}
