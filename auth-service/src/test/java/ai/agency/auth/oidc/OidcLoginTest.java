package ai.agency.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Sign-in with a real OpenID provider (Spring Authorization Server) through the whole browser flow. */
class OidcLoginTest extends OidcTestBase {

    @Autowired
    ReauthTokens reauthTokens;

    @Test
    void providersAreListedPublicly() {
        Response response = get("/api/v1/auth/oidc/providers", null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("items").findValuesAsString("id")).containsExactly("fake", "github", "sas");
        assertThat(response.json().get("items").findValuesAsString("name")).contains("Test IdP", "GitHub");
    }

    @Test
    void authorizeSendsTheBrowserToTheProviderWithPkceStateAndNonce() {
        Response response = get("/api/v1/auth/oidc/sas/authorize?redirect=/console/", null);
        assertThat(response.status()).isEqualTo(302);
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(SAS.issuer() + "/oauth2/authorize?");
        Map<String, String> query = FakeOidcProvider.parse(location.getRawQuery());
        assertThat(query)
                .containsEntry("response_type", "code")
                .containsEntry("client_id", TestIdentityProvider.CLIENT_ID)
                .containsEntry("code_challenge_method", "S256")
                .containsEntry("redirect_uri", PUBLIC_URL + "/api/v1/auth/oidc/sas/callback")
                .containsKeys("state", "nonce", "code_challenge");
        assertThat(query.get("scope").split(" ")).contains("openid", "email", "profile");
    }

    @Test
    void firstSignInCreatesAnAccountWithoutPasswordAndTheCodeWorksOnce() {
        String email = "alice-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        String idpUser = sasUser(Map.of("email", email, "email_verified", true, "preferred_username", "Alice Smith"));

        String location = signInWithSas(idpUser);
        assertThat(location).startsWith("/console/#code=agc_");
        String code = codeOf(location);
        Response first = exchange(code);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        JsonNode tokens = first.json();
        assertThat(tokens.get("tokenType").asString()).isEqualTo("Bearer");
        assertThat(tokens.get("refreshToken").asString()).startsWith("agr_");
        assertThat(tokens.get("reauthToken").asString()).startsWith("agra_");

        Response again = exchange(code);
        assertProblem(again, 401, "authentication");

        JsonNode me = me(tokens.get("accessToken").asString());
        assertThat(me.get("email").asString()).isEqualTo(email);
        assertThat(me.get("username").asString()).startsWith("alice_smith");
        assertThat(me.get("roles").toString()).isEqualTo("[\"user\"]");
        assertThat(jdbc.sql("SELECT password_hash FROM users WHERE id = :id")
                        .param("id", UUID.fromString(me.get("id").asString()))
                        .query(String.class)
                        .optional())
                .isEmpty();
        assertThat(identitiesOf("sas", idpUser)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT details->>'provider' FROM audit_events WHERE type = 'login.success' "
                                + "AND user_id = :id")
                        .param("id", UUID.fromString(me.get("id").asString()))
                        .query(String.class)
                        .list())
                .containsExactly("sas");

        // the refresh token works as after a password login
        assertThat(refresh(tokens.get("refreshToken").asString()).status()).isEqualTo(200);
    }

    @Test
    void secondSignInFindsTheSameAccount() {
        String email = "bo-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        String idpUser = sasUser(Map.of("email", email, "email_verified", true));
        String first = me(exchangeOk(signInWithSas(idpUser)).get("accessToken").asString())
                .get("id")
                .asString();
        String second = me(exchangeOk(signInWithSas(idpUser)).get("accessToken").asString())
                .get("id")
                .asString();
        assertThat(second).isEqualTo(first);
        assertThat(usersWithEmail(email)).isEqualTo(1);
    }

    @Test
    void collidingUsernamesGetASuffix() {
        Account taken = register();
        String idpUser = sasUser(Map.of(
                "email",
                "c-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org",
                "email_verified",
                false,
                "preferred_username",
                taken.username()));
        String username = me(exchangeOk(signInWithSas(idpUser))
                        .get("accessToken")
                        .asString())
                .get("username")
                .asString();
        assertThat(username).isEqualTo(taken.username().toLowerCase() + "-2");
    }

    @Test
    void aVerifiedEmailLinksToTheAccountThatHasIt() {
        Account account = register();
        String idpUser = sasUser(Map.of("email", account.email().toUpperCase(), "email_verified", true));
        JsonNode me = me(exchangeOk(signInWithSas(idpUser)).get("accessToken").asString());
        assertThat(me.get("id").asString()).isEqualTo(account.id().toString());
        // the password still works too
        loginOk(account.username(), account.password());
    }

    @Test
    void anUnverifiedEmailNeverLinks() {
        Account account = register();
        String idpUser = sasUser(Map.of("email", account.email(), "email_verified", false));
        assertThat(signInWithSas(idpUser)).isEqualTo("/console/#error=email_in_use");
        assertThat(identitiesOf("sas", idpUser)).isZero();
        assertThat(usersWithEmail(account.email())).isEqualTo(1);
    }

    @Test
    void rolesComeFromTheMappedClaimAndNeverAdminUnlessMapped() {
        String viewer = sasUser(Map.of(
                "email",
                "v-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org",
                "groups",
                List.of("platform-viewers", "staff")));
        assertThat(me(exchangeOk(signInWithSas(viewer)).get("accessToken").asString())
                        .get("roles")
                        .toString())
                .isEqualTo("[\"viewer\"]");
        String wouldBeAdmin = sasUser(Map.of(
                "email",
                "a-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org",
                "groups",
                List.of("admin", "platform-admins")));
        assertThat(me(exchangeOk(signInWithSas(wouldBeAdmin)).get("accessToken").asString())
                        .get("roles")
                        .toString())
                .isEqualTo("[\"user\"]");
    }

    @Test
    void aProviderAccountHasNoPasswordToLogInWithOrChange() {
        String email = "np-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        JsonNode tokens = exchangeOk(signInWithSas(sasUser(Map.of("email", email, "email_verified", true))));
        String username =
                me(tokens.get("accessToken").asString()).get("username").asString();
        assertProblem(login(username, "anything at all"), 401, "authentication");
        Response change = send(
                "POST", "/api/v1/users/me/password", tokens.get("accessToken").asString(), (Object)
                        Map.of("currentPassword", "whatever-it-is", "newPassword", "a brand new password"));
        assertThat(assertProblem(change, 409, "conflict").get("reason").asString())
                .isEqualTo("no_password");
    }

    @Test
    void reauthTokensAreSpentOnceByTheirOwnUserOnly() {
        String email = "re-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        JsonNode tokens = exchangeOk(signInWithSas(sasUser(Map.of("email", email, "email_verified", true))));
        UUID userId = UUID.fromString(
                me(tokens.get("accessToken").asString()).get("id").asString());
        String reauth = tokens.get("reauthToken").asString();
        assertThat(reauthTokens.consume(register().id(), reauth)).isFalse();
        assertThat(reauthTokens.consume(userId, "agra_forged")).isFalse();
        assertThat(reauthTokens.consume(userId, reauth)).isTrue();
        assertThat(reauthTokens.consume(userId, reauth)).isFalse();
    }

    @Test
    void anAccountWithTwoFactorLoginStillNeedsItsCodeAfterAProviderSignIn() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        Response enrolment =
                send("POST", "/api/v1/auth/mfa/totp", token, (Object) Map.of("password", account.password()));
        assertThat(enrolment.status()).as(enrolment.body()).isEqualTo(201);
        byte[] secret = ai.agency.auth.mfa.Totp.fromBase32(
                enrolment.json().get("secret").asString());
        String current =
                new ai.agency.auth.mfa.Totp().code(secret, ai.agency.auth.mfa.Totp.step(java.time.Instant.now()));
        Response confirmed = send("POST", "/api/v1/auth/mfa/totp/confirm", token, (Object) Map.of("code", current));
        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
        String recoveryCode = confirmed.json().get("recoveryCodes").get(0).asString();

        String idpUser = sasUser(Map.of("email", account.email(), "email_verified", true));
        String code = codeOf(signInWithSas(idpUser));
        Response withoutCode = exchange(code);
        assertThat(assertProblem(withoutCode, 401, "authentication")
                        .get("reason")
                        .asString())
                .isEqualTo("mfa_required");
        Response withCode = post("/api/v1/auth/oidc/exchange", Map.of("code", code, "totpCode", recoveryCode));
        assertThat(withCode.status()).as(withCode.body()).isEqualTo(200);
        assertThat(me(withCode.json().get("accessToken").asString()).get("id").asString())
                .isEqualTo(account.id().toString());
        assertProblem(
                post("/api/v1/auth/oidc/exchange", Map.of("code", code, "totpCode", recoveryCode)),
                401,
                "authentication");
    }

    @Test
    void aMalformedExchangeIsA400NamingTheField() {
        assertThat(errorFields(assertProblem(
                        post("/api/v1/auth/oidc/exchange", Map.of("code", "x".repeat(500))), 400, "validation")))
                .containsExactly("code");
        assertThat(errorFields(assertProblem(post("/api/v1/auth/oidc/exchange", Map.of()), 400, "validation")))
                .containsExactly("code");
        assertProblem(exchange("agc_unknown"), 401, "authentication");
    }
}
