package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A narrow credential never becomes a wide one. Each test is the attack of someone holding a leaked
 * narrow API key (of an admin, the worst case).
 */
class NarrowCredentialsTest extends AuthApiTest {

    private Response createKey(String token, List<String> scopes) {
        return send("POST", "/api/v1/auth/api-keys", token, (Object) Map.of("name", "leaked", "scopes", scopes));
    }

    private String keyToken(String key) {
        Response exchanged = send("POST", "/api/v1/auth/api-keys/exchange", null, "{}", Map.of("X-API-Key", key));
        assertThat(exchanged.status()).as(exchanged.body()).isEqualTo(200);
        return exchanged.json().get("accessToken").asString();
    }

    private String ticketToken(String token) {
        Response ticket = send("POST", "/api/v1/auth/ws-ticket", token, (String) null);
        assertThat(ticket.status()).as(ticket.body()).isEqualTo(200);
        Response redeemed = post(
                "/api/v1/auth/ws-ticket/redeem",
                Map.of("ticket", ticket.json().get("ticket").asString()));
        assertThat(redeemed.status()).as(redeemed.body()).isEqualTo(200);
        return redeemed.json().get("accessToken").asString();
    }

    @Test
    void aReadOnlyKeyOfAnAdminCannotBuyAFullTokenThroughAWebSocketTicket() {
        Response key = createKey(adminToken(), List.of("read"));
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        String narrow = keyToken(key.json().get("key").asString());

        String redeemed = ticketToken(narrow);

        JsonNode claims = jwtPart(redeemed, 1);
        assertThat(claims.get("roles").toString()).isEqualTo("[\"viewer\"]");
        assertThat(claims.get("scope").asString()).isEqualTo("read");
        assertThat(claims.get("api_key_id").asString())
                .isEqualTo(key.json().get("id").asString());
        assertProblem(get("/api/v1/admin/users", redeemed), 403, "authorization");
        assertProblem(createKey(redeemed, List.of("read")), 403, "authorization");
    }

    @Test
    void aTicketBoughtWithAFullTokenCarriesThatTokensRolesAndScopes() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();

        JsonNode claims = jwtPart(ticketToken(token), 1);

        assertThat(claims.get("roles").toString()).isEqualTo("[\"user\"]");
        assertThat(claims.get("scope").asString()).isEqualTo("delete read write");
        assertThat(claims.has("api_key_id")).isFalse();
    }

    @Test
    void aWriteKeyOfAnAdminCannotMintAPermanentManageUsersKey() {
        String writer = keyToken(createKey(adminToken(), List.of("read", "write"))
                .json()
                .get("key")
                .asString());

        assertProblem(createKey(writer, List.of("manage_users")), 403, "authorization");
        assertProblem(createKey(writer, List.of("read")), 403, "authorization");
        assertProblem(createKey(ticketToken(writer), List.of("read")), 403, "authorization");
    }

    @Test
    void aTokenFromAnApiKeyCannotChangeTheAccountOrItsSecondFactor() {
        Account account = register();
        String owner = loginOk(account.username(), account.password()).accessToken();
        String viaKey = keyToken(createKey(owner, List.of("read", "write", "delete"))
                .json()
                .get("key")
                .asString());

        assertProblem(
                send("PATCH", "/api/v1/users/me", viaKey, (Object) Map.of("email", "attacker@example.com")),
                403,
                "authorization");
        assertProblem(
                send("POST", "/api/v1/auth/mfa/totp", viaKey, (Object) Map.of("password", account.password())),
                403,
                "authorization");
        assertThat(get("/api/v1/users/me", owner).json().get("email").asString())
                .isEqualTo(account.email());
    }

    @Test
    void aTicketOfADeletedKeyStopsWorkingWithTheKey() {
        Account account = register();
        String owner = loginOk(account.username(), account.password()).accessToken();
        Response key = createKey(owner, List.of("read"));
        String viaTicket = ticketToken(keyToken(key.json().get("key").asString()));
        assertThat(get("/api/v1/users/me", viaTicket).status()).isEqualTo(200);

        Response deleted =
                send("DELETE", "/api/v1/auth/api-keys/" + key.json().get("id").asString(), owner, (String) null);
        assertThat(deleted.status()).isEqualTo(204);

        await().atMost(Duration.ofSeconds(1))
                .untilAsserted(() -> assertProblem(get("/api/v1/users/me", viaTicket), 401, "authentication"));
        assertThat(get("/api/v1/users/me", owner).status())
                .as("the owner's own sign-in is untouched")
                .isEqualTo(200);
    }

    @Test
    void aDemotedAdminsTokensStopWorkingAtOnce() {
        Account account = register();
        String asAdmin = accountWithRoles(account, List.of("admin", "user")).accessToken();
        assertThat(get("/api/v1/admin/users", asAdmin).status()).isEqualTo(200);

        Response demoted = send("PUT", "/api/v1/admin/users/" + account.id() + "/roles", adminToken(), (Object)
                Map.of("roles", List.of("user")));
        assertThat(demoted.status()).as(demoted.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(1))
                .untilAsserted(() -> assertProblem(get("/api/v1/admin/users", asAdmin), 401, "authentication"));
        String fresh = loginOk(account.username(), account.password()).accessToken();
        assertThat(jwtPart(fresh, 1).get("roles").toString()).isEqualTo("[\"user\"]");
        assertThat(get("/api/v1/users/me", fresh).status()).isEqualTo(200);
    }

    @Test
    void tokensNameTheIssuerAndAudienceThatDiscoveryPublishes() {
        Account account = register();
        JsonNode claims =
                jwtPart(loginOk(account.username(), account.password()).accessToken(), 1);

        Response discovery = get("/.well-known/openid-configuration", null);

        assertThat(discovery.status()).isEqualTo(200);
        assertThat(claims.get("iss").asString())
                .isEqualTo(discovery.json().get("issuer").asString());
        assertThat(claims.get("aud").toString()).contains("\"agency\"");
        assertThat(discovery.json().get("jwks_uri").asString()).endsWith("/api/v1/auth/jwks");
        assertThat(claims.get("ver").isNumber()).isTrue();
    }

    @Test
    void theFeedListsRevocationsInOrder() {
        Account account = register();
        String owner = loginOk(account.username(), account.password()).accessToken();
        Response key = createKey(owner, List.of("read"));
        long before = get("/internal/revocations?after=0&limit=1000", null)
                .json()
                .get("items")
                .size();

        send("DELETE", "/api/v1/auth/api-keys/" + key.json().get("id").asString(), owner, (String) null);

        JsonNode items =
                get("/internal/revocations?after=0&limit=1000", null).json().get("items");
        assertThat(items.size()).isGreaterThan((int) before);
        JsonNode last = items.get(items.size() - 1);
        assertThat(last.get("apiKeyId").asString())
                .isEqualTo(key.json().get("id").asString());
        assertThat(last.get("userId").asString()).isEqualTo(account.id().toString());
        assertThat(last.get("reason").asString()).isEqualTo("api_key_revoked");
        assertProblem(get("/internal/revocations?after=-1", null), 400, "validation");
    }
}
