package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AdminUsersTest extends AuthApiTest {

    @Test
    void onlyAdminsReachTheAdminApi() {
        Account account = register();
        String userToken = loginOk(account.username(), account.password()).accessToken();

        assertProblem(get("/api/v1/admin/users", null), 401, "authentication");
        assertProblem(get("/api/v1/admin/users", userToken), 403, "authorization");
        assertProblem(
                send("PUT", "/api/v1/admin/users/" + account.id() + "/roles", userToken, (Object)
                        Map.of("roles", List.of("admin"))),
                403,
                "authorization");
        assertProblem(send("POST", "/api/v1/admin/keys/rotate", userToken, (String) null), 403, "authorization");
        assertProblem(get("/api/v1/admin/audit", userToken), 403, "authorization");
        assertThat(get("/api/v1/users/me", userToken).json().get("roles").toString())
                .isEqualTo("[\"user\"]");
    }

    @Test
    void usersArePagedWithAnOpaqueCursor() {
        for (int i = 0; i < 3; i++) {
            register();
        }
        String admin = adminToken();
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = get("/api/v1/admin/users?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), admin);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            JsonNode json = page.json();
            assertThat(json.get("items").size()).isBetween(1, 2);
            json.get("items").forEach(u -> {
                seen.add(u.get("id").asString());
                assertThat(u.has("passwordHash")).isFalse();
            });
            cursor = json.get("nextCursor").isNull()
                    ? null
                    : json.get("nextCursor").asString();
            pages++;
        } while (cursor != null && pages < 100);

        assertThat(seen).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(4);
        Response all = get("/api/v1/admin/users?limit=100", admin);
        assertThat(all.json().get("items").size()).isEqualTo(Math.min(100, seen.size()));
    }

    @Test
    void badPagingParametersAre400() {
        String admin = adminToken();

        assertProblem(get("/api/v1/admin/users?limit=101", admin), 400, "validation");
        assertProblem(get("/api/v1/admin/users?limit=0", admin), 400, "validation");
        assertProblem(get("/api/v1/admin/users?cursor=not-a-cursor", admin), 400, "validation");
    }

    @Test
    void changingRolesShowsInTheNextTokensAndAViewerCannotWrite() {
        Account account = register();
        Tokens viewer = accountWithRoles(account, List.of("viewer"));

        assertThat(jwtPart(viewer.accessToken(), 1).get("roles").toString()).isEqualTo("[\"viewer\"]");
        assertThat(jwtPart(viewer.accessToken(), 1).get("scope").asString()).isEqualTo("read");
        assertThat(get("/api/v1/users/me", viewer.accessToken()).status()).isEqualTo(200);
        assertProblem(
                send("PATCH", "/api/v1/users/me", viewer.accessToken(), (Object) Map.of("profileRole", "x")),
                403,
                "authorization");
        assertProblem(
                send("POST", "/api/v1/auth/api-keys", viewer.accessToken(), (Object)
                        Map.of("name", "ci", "scopes", List.of("read"))),
                403,
                "authorization");
        assertThat(jdbc.sql("SELECT count(*) FROM users WHERE id = :id AND profile_role IS NOT NULL")
                        .param("id", account.id())
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void invalidRolesAre400AndChangeNothing() {
        Account account = register();
        String admin = adminToken();

        for (Object roles : List.of(List.of("superuser"), List.of(), List.of("user'; DROP TABLE users; --"))) {
            Response response = send(
                    "PUT", "/api/v1/admin/users/" + account.id() + "/roles", admin, (Object) Map.of("roles", roles));
            assertProblem(response, 400, "validation");
        }
        assertThat(loginOk(account.username(), account.password()).accessToken())
                .satisfies(
                        t -> assertThat(jwtPart(t, 1).get("roles").toString()).isEqualTo("[\"user\"]"));
    }

    @Test
    void rolesOfAnUnknownUserAre404() {
        Response response = send("PUT", "/api/v1/admin/users/" + UUID.randomUUID() + "/roles", adminToken(), (Object)
                Map.of("roles", List.of("user")));

        assertProblem(response, 404, "not_found");
    }

    @Test
    void theLastAdminCannotBeDemotedOrDisabled() {
        String admin = adminToken();
        String adminId = jwtPart(admin, 1).get("sub").asString();

        assertProblem(
                send("PUT", "/api/v1/admin/users/" + adminId + "/roles", admin, (Object)
                        Map.of("roles", List.of("user"))),
                409,
                "conflict");
        assertProblem(
                send("POST", "/api/v1/admin/users/" + adminId + "/disable", admin, (String) null), 409, "conflict");
    }

    @Test
    void aDisabledUserIsLockedOutAtOnceAndCanBeEnabledAgain() {
        Account account = register();
        Tokens tokens = loginOk(account.username(), account.password());
        String admin = adminToken();

        Response disabled = send("POST", "/api/v1/admin/users/" + account.id() + "/disable", admin, (String) null);

        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
        assertThat(disabled.json().get("disabled").asBoolean()).isTrue();
        assertProblem(refresh(tokens.refreshToken()), 401, "authentication");
        assertProblem(get("/api/v1/users/me", tokens.accessToken()), 401, "authentication");
        assertProblem(login(account.username(), account.password()), 401, "authentication");
        assertProblem(
                send("POST", "/api/v1/auth/ws-ticket", tokens.accessToken(), (String) null), 401, "authentication");
        assertThat(jdbc.sql("SELECT count(*) FROM refresh_tokens WHERE user_id = :u AND revoked_at IS NULL")
                        .param("u", account.id())
                        .query(Long.class)
                        .single())
                .isZero();

        send("POST", "/api/v1/admin/users/" + account.id() + "/enable", admin, (String) null);

        assertThat(login(account.username(), account.password()).status()).isEqualTo(200);
        assertProblem(refresh(tokens.refreshToken()), 401, "authentication");
    }
}
