package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AdminBootstrapTest extends AuthApiTest {

    @Test
    void theConfiguredAdminCanLogInAndItsTokenCarriesTheAdminRole() {
        Tokens tokens = loginOk(ADMIN_USERNAME, ADMIN_PASSWORD);

        JsonNode claims = jwtPart(tokens.accessToken(), 1);
        List<String> roles = new ArrayList<>();
        claims.get("roles").forEach(r -> roles.add(r.asString()));
        assertThat(roles).contains("admin");
        assertThat(claims.get("scope").asString().split(" ")).contains("manage_users");

        Response me = get("/api/v1/users/me", tokens.accessToken());
        assertThat(me.status()).as(me.body()).isEqualTo(200);
        assertThat(me.json().get("username").asString()).isEqualTo(ADMIN_USERNAME);
    }

    @Test
    void theAdminUsernameCannotBeRegisteredAgain() {
        Response response = post(
                "/api/v1/auth/register",
                java.util.Map.of(
                        "username",
                        ADMIN_USERNAME.toUpperCase(),
                        "email",
                        "impostor@example.com",
                        "password",
                        PASSWORD));

        assertProblem(response, 409, "conflict");
    }

    @Test
    void aRegisteredUserDoesNotGetTheAdminRole() {
        Account account = register();

        JsonNode claims =
                jwtPart(loginOk(account.username(), account.password()).accessToken(), 1);

        List<String> roles = new ArrayList<>();
        claims.get("roles").forEach(r -> roles.add(r.asString()));
        assertThat(roles).containsExactly("user");
    }
}
