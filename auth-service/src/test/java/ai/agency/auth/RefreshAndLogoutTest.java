package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class RefreshAndLogoutTest extends AuthApiTest {

    @Test
    void refreshAnswersANewWorkingPair() {
        Account account = register();
        Tokens first = loginOk(account.username(), account.password());

        Response response = refresh(first.refreshToken());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode pair = response.json();
        assertThat(pair.get("tokenType").asString()).isEqualTo("Bearer");
        assertThat(pair.get("expiresIn").asLong()).isBetween(1L, 900L);
        String newRefresh = pair.get("refreshToken").asString();
        String newAccess = pair.get("accessToken").asString();
        assertThat(newRefresh).isNotBlank().isNotEqualTo(first.refreshToken());
        assertThat(newAccess).isNotEqualTo(first.accessToken());
        assertThat(jwtPart(newAccess, 1).get("sub").asString())
                .isEqualTo(account.id().toString());
        Response me = get("/api/v1/users/me", newAccess);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("id").asString()).isEqualTo(account.id().toString());
    }

    @Test
    void aSpentRefreshTokenIsRefusedAndRevokesItsWholeFamily() {
        Account account = register();
        Tokens first = loginOk(account.username(), account.password());
        String second = refresh(first.refreshToken()).json().get("refreshToken").asString();

        assertProblem(refresh(first.refreshToken()), 401, "authentication");

        assertProblem(refresh(second), 401, "authentication");
    }

    @Test
    void reuseRevokesOnlyTheFamilyOfTheReusedToken() {
        Account account = register();
        Tokens stolen = loginOk(account.username(), account.password());
        Tokens otherDevice = loginOk(account.username(), account.password());
        refresh(stolen.refreshToken());

        assertProblem(refresh(stolen.refreshToken()), 401, "authentication");

        assertThat(refresh(otherDevice.refreshToken()).status()).isEqualTo(200);
    }

    @Test
    void anUnknownRefreshTokenIsRefused() {
        assertProblem(refresh("agr_not-a-token-we-issued"), 401, "authentication");
    }

    @Test
    void aBlankRefreshTokenIsABadRequest() {
        JsonNode problem = assertProblem(post("/api/v1/auth/refresh", Map.of("refreshToken", " ")), 400, "validation");

        assertThat(errorFields(problem)).containsExactly("refreshToken");
    }

    @Test
    void logoutAnswers204AndItsRefreshTokenNoLongerWorks() {
        Account account = register();
        Tokens tokens = loginOk(account.username(), account.password());

        Response logout = post("/api/v1/auth/logout", Map.of("refreshToken", tokens.refreshToken()));

        assertThat(logout.status()).as(logout.body()).isEqualTo(204);
        assertProblem(refresh(tokens.refreshToken()), 401, "authentication");
    }

    @Test
    void logoutAlsoEndsTheTokensRotatedFromTheSameLogin() {
        Account account = register();
        Tokens first = loginOk(account.username(), account.password());
        String rotated =
                refresh(first.refreshToken()).json().get("refreshToken").asString();

        assertThat(post("/api/v1/auth/logout", Map.of("refreshToken", rotated)).status())
                .isEqualTo(204);

        assertProblem(refresh(rotated), 401, "authentication");
    }
}
