package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ProfileTest extends AuthApiTest {

    private Response patch(String token, Object body) {
        return send("PATCH", "/api/v1/users/me", token, body);
    }

    @Test
    void preferencesMergeKeyByKeyAndNullDeletesAKey() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        assertThat(patch(
                                token,
                                Map.of(
                                        "preferences",
                                        Map.of("language", "de", "tone", "formal", "ui", Map.of("dark", true))))
                        .status())
                .isEqualTo(200);

        Map<String, Object> second = new HashMap<>();
        second.put("tone", null);
        second.put("timezone", "Europe/Berlin");
        Response response = patch(token, Map.of("preferences", second));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode preferences = response.json().get("preferences");
        assertThat(preferences.get("language").asString()).isEqualTo("de");
        assertThat(preferences.get("timezone").asString()).isEqualTo("Europe/Berlin");
        assertThat(preferences.get("ui").get("dark").asBoolean()).isTrue();
        assertThat(preferences.has("tone")).isFalse();
        assertThat(get("/api/v1/users/me", token).json().get("preferences")).isEqualTo(preferences);
    }

    @Test
    void profileRoleAndEmailChangeAndAnEmptyProfileRoleClearsIt() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        String newEmail = "new_" + account.email();

        Response changed = patch(token, Map.of("profileRole", "data engineer", "email", newEmail));

        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("profileRole").asString()).isEqualTo("data engineer");
        assertThat(changed.json().get("email").asString()).isEqualTo(newEmail);

        Response cleared = patch(token, Map.of("profileRole", ""));
        assertThat(cleared.json().get("profileRole").isNull()).isTrue();
        assertThat(cleared.json().get("email").asString()).isEqualTo(newEmail);
    }

    @Test
    void anEmailOfAnotherAccountIsAConflict() {
        Account mine = register();
        Account other = register();
        String token = loginOk(mine.username(), mine.password()).accessToken();

        assertProblem(patch(token, Map.of("email", other.email().toUpperCase())), 409, "conflict");
        assertThat(get("/api/v1/users/me", token).json().get("email").asString())
                .isEqualTo(mine.email());
    }

    @Test
    void oversizedOrMalformedFieldsAre400AndNothingIsStored() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        assertProblem(patch(token, Map.of("profileRole", "x".repeat(501))), 400, "validation");
        assertProblem(patch(token, Map.of("email", "' OR 1=1; --")), 400, "validation");
        assertProblem(patch(token, Map.of("email", "a".repeat(250) + "@example.com")), 400, "validation");
        assertProblem(patch(token, Map.of("preferences", "not an object")), 400, "validation");
        assertProblem(patch(token, Map.of("preferences", Map.of("big", "y".repeat(20_000)))), 400, "validation");
        assertProblem(patch(token, Map.of("preferences", Map.of("k".repeat(101), 1))), 400, "validation");

        JsonNode me = get("/api/v1/users/me", token).json();
        assertThat(me.get("email").asString()).isEqualTo(account.email());
        assertThat(me.get("profileRole").isNull()).isTrue();
        assertThat(me.get("preferences").size()).isZero();
    }

    @Test
    void sqlInFreeTextIsStoredAsPlainText() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        String hostile = "x'); DROP TABLE users; --";

        Response response = patch(token, Map.of("profileRole", hostile, "preferences", Map.of(hostile, hostile)));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("profileRole").asString()).isEqualTo(hostile);
        assertThat(response.json().get("preferences").get(hostile).asString()).isEqualTo(hostile);
        assertThat(get("/api/v1/users/me", token).status()).isEqualTo(200);
    }

    @Test
    void patchNeedsAToken() {
        assertProblem(patch(null, Map.of("profileRole", "x")), 401, "authentication");
    }
}
