package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ApiKeyTest extends AuthApiTest {

    private Response create(String token, String name, List<String> scopes) {
        return send("POST", "/api/v1/auth/api-keys", token, (Object) Map.of("name", name, "scopes", scopes));
    }

    private Response exchange(String key) {
        return send("POST", "/api/v1/auth/api-keys/exchange", null, "{}", Map.of("X-API-Key", key));
    }

    @Test
    void aKeyIsShownOnceStoredHashedAndListedWithoutSecrets() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        Response created = create(token, "ci pipeline", List.of("read", "write"));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String key = created.json().get("key").asString();
        assertThat(key).startsWith("agk_").hasSize(47);
        assertThat(created.json().get("name").asString()).isEqualTo("ci pipeline");
        assertThat(jdbc.sql("SELECT count(*) FROM api_keys WHERE key_hash = :k OR prefix = :k")
                        .param("k", key)
                        .query(Long.class)
                        .single())
                .isZero();

        Response list = get("/api/v1/auth/api-keys", token);
        assertThat(list.status()).isEqualTo(200);
        JsonNode item = list.json().get("items").get(0);
        assertThat(item.get("id").asString()).isEqualTo(created.json().get("id").asString());
        assertThat(item.get("scopes").toString()).isEqualTo("[\"read\",\"write\"]");
        assertThat(item.has("key")).isFalse();
        assertThat(list.body()).doesNotContain(key);
        assertThat(item.get("lastUsedAt").isNull()).isTrue();
    }

    @Test
    void aKeyIsExchangedForAShortLivedTokenNarrowedToItsScopes() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        String readOnly =
                create(token, "dashboards", List.of("read")).json().get("key").asString();
        String writer = create(token, "sync job", List.of("read", "write"))
                .json()
                .get("key")
                .asString();

        Response exchanged = exchange(readOnly);

        assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
        String accessToken = exchanged.json().get("accessToken").asString();
        JsonNode claims = jwtPart(accessToken, 1);
        assertThat(claims.get("sub").asString()).isEqualTo(account.id().toString());
        assertThat(claims.get("scope").asString()).isEqualTo("read");
        assertThat(claims.get("roles").toString()).isEqualTo("[\"viewer\"]");
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isBetween(1L, 300L);
        assertThat(get("/api/v1/users/me", accessToken).status()).isEqualTo(200);
        assertProblem(
                send("PATCH", "/api/v1/users/me", accessToken, (Object) Map.of("profileRole", "x")),
                403,
                "authorization");

        Response viaBody = post("/api/v1/auth/api-keys/exchange", Map.of("key", writer));
        assertThat(jwtPart(viaBody.json().get("accessToken").asString(), 1)
                        .get("roles")
                        .toString())
                .isEqualTo("[\"user\"]");
        assertThat(get("/api/v1/auth/api-keys", token).json().findValues("lastUsedAt"))
                .allSatisfy(v -> assertThat(v.isNull()).isFalse());
    }

    @Test
    void aRevokedKeyNoLongerWorksAndOnlyItsOwnerCanRevokeIt() {
        Account owner = register();
        Account other = register();
        String ownerToken = loginOk(owner.username(), owner.password()).accessToken();
        String otherToken = loginOk(other.username(), other.password()).accessToken();
        JsonNode created = create(ownerToken, "temp", List.of("read")).json();
        String id = created.get("id").asString();

        assertProblem(send("DELETE", "/api/v1/auth/api-keys/" + id, otherToken, (String) null), 404, "not_found");
        assertThat(exchange(created.get("key").asString()).status()).isEqualTo(200);
        assertThat(get("/api/v1/auth/api-keys", otherToken).json().get("items").size())
                .isZero();

        assertThat(send("DELETE", "/api/v1/auth/api-keys/" + id, ownerToken, (String) null)
                        .status())
                .isEqualTo(204);

        assertProblem(exchange(created.get("key").asString()), 401, "authentication");
        assertThat(get("/api/v1/auth/api-keys", ownerToken).json().get("items").size())
                .isZero();
        assertProblem(
                send("DELETE", "/api/v1/auth/api-keys/" + UUID.randomUUID(), ownerToken, (String) null),
                404,
                "not_found");
    }

    @Test
    void aKeyOfADisabledUserIsRefused() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        String key = create(token, "bot", List.of("read")).json().get("key").asString();

        send("POST", "/api/v1/admin/users/" + account.id() + "/disable", adminToken(), (String) null);

        assertProblem(exchange(key), 401, "authentication");
    }

    @Test
    void scopesBeyondTheOwnersOrUnknownAndBadNamesAre400AndNothingIsStored() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        assertProblem(create(token, "escalate", List.of("manage_users")), 400, "validation");
        assertProblem(create(token, "odd", List.of("root")), 400, "validation");
        assertProblem(create(token, "none", List.of()), 400, "validation");
        assertProblem(create(token, "k'); DROP TABLE api_keys; --", List.of("read")), 400, "validation");
        assertProblem(create(token, "n".repeat(101), List.of("read")), 400, "validation");
        assertProblem(create(token, " ", List.of("read")), 400, "validation");

        assertThat(jdbc.sql("SELECT count(*) FROM api_keys WHERE user_id = :u")
                        .param("u", account.id())
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void garbageKeysAreRefused() {
        assertProblem(exchange("agk_not-a-real-key"), 401, "authentication");
        assertProblem(exchange("something-else"), 401, "authentication");
        assertProblem(post("/api/v1/auth/api-keys/exchange", Map.of()), 401, "authentication");
        assertProblem(get("/api/v1/auth/api-keys", null), 401, "authentication");
    }
}
