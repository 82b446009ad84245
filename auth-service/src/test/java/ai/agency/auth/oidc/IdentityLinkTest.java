package ai.agency.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.auth.oidc.FakeOidcProvider.Attack;
import ai.agency.auth.oidc.FakeOidcProvider.FakeUser;
import ai.agency.common.testsupport.TestHttp.Response;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Linking a provider account while signed in, listing and unlinking identities, and the last way to sign in. */
class IdentityLinkTest extends OidcTestBase {

    private static String newEmail(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    }

    /** A link flow started by the bearer of a token: the provider's URL and the flow cookie it set. */
    private record LinkFlow(String authorizeUrl, String cookie) {

        /** The browser that started the flow (it holds the flow cookie). */
        Browser in(Browser browser) {
            browser.setCookie(cookie);
            return browser;
        }
    }

    private LinkFlow linkStart(String provider, String token) {
        Response response = send("POST", "/api/v1/users/me/identities/" + provider, token, (Object) Map.of());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return new LinkFlow(
                response.json().get("authorizeUrl").asString(),
                response.headers().firstValue("Set-Cookie").orElseThrow());
    }

    /** Completes a link flow in the browser that started it; answers the console location. */
    private String link(String provider, String token, String idpUser, String password) {
        LinkFlow flow = linkStart(provider, token);
        return flow.in(browser()).signIn(flow.authorizeUrl(), idpUser, password);
    }

    private JsonNode identities(String token) {
        Response response = get("/api/v1/users/me/identities", token);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("items");
    }

    @Test
    void aSignedInUserLinksAProviderAccountWhateverItsEmail() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        // another email, not even verified: the signed-in flow is the proof of ownership
        String idpUser = sasUser(Map.of("email", newEmail("other"), "email_verified", false));
        String location = link("sas", token, idpUser, PASSWORD_AT_PROVIDER);
        assertThat(location).isEqualTo("/console/#linked=sas");

        JsonNode items = identities(token);
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("provider").asString()).isEqualTo("sas");
        assertThat(items.get(0).get("subject").asString()).isEqualTo(idpUser);
        assertThat(items.get(0).has("linkedAt")).isTrue();

        // from now on the provider signs in to that account
        JsonNode me = me(exchangeOk(signInWithSas(idpUser)).get("accessToken").asString());
        assertThat(me.get("id").asString()).isEqualTo(account.id().toString());
    }

    @Test
    void aLinkUrlHandedToSomeoneElseLinksNothing() {
        // the attacker starts a link flow and sends its URL to a victim signed in at the provider: the victim's
        // provider account would then sign in to the attacker's account
        Account attacker = register();
        String token = loginOk(attacker.username(), attacker.password()).accessToken();
        String victimAtIdp = sasUser(Map.of("email", newEmail("victim"), "email_verified", true));
        LinkFlow flow = linkStart("sas", token);
        String location = browser().signIn(flow.authorizeUrl(), victimAtIdp, PASSWORD_AT_PROVIDER);
        assertThat(location).isEqualTo("/console/#error=browser_mismatch");
        assertThat(identities(token)).isEmpty();
        assertThat(identitiesOf("sas", victimAtIdp)).isZero();
    }

    @Test
    void anIdentityOfAnotherAccountCannotBeLinked() {
        String idpUser = sasUser(Map.of("email", newEmail("owner"), "email_verified", true));
        exchangeOk(signInWithSas(idpUser));
        Account other = register();
        String token = loginOk(other.username(), other.password()).accessToken();
        String location = link("sas", token, idpUser, PASSWORD_AT_PROVIDER);
        assertThat(location).isEqualTo("/console/#error=identity_taken");
        assertThat(identities(token)).isEmpty();
    }

    @Test
    void theLastWayToSignInCannotBeUnlinked() {
        String idpUser = sasUser(Map.of("email", newEmail("last"), "email_verified", true));
        String token = exchangeOk(signInWithSas(idpUser)).get("accessToken").asString();
        String sasIdentity = identities(token).get(0).get("id").asString();

        Response refused = send("DELETE", "/api/v1/users/me/identities/" + sasIdentity, token, (Object) null);
        assertThat(assertProblem(refused, 409, "conflict").get("reason").asString())
                .isEqualTo("last_sign_in_method");

        // with a second provider linked, the first one can go
        FakeUser fake = new FakeUser("sub-" + UUID.randomUUID(), newEmail("second"), true, "second");
        FAKE.next(fake, Attack.NONE);
        assertThat(link("fake", token, "", "")).isEqualTo("/console/#linked=fake");
        assertThat(identities(token)).hasSize(2);
        assertThat(send("DELETE", "/api/v1/users/me/identities/" + sasIdentity, token, (Object) null)
                        .status())
                .isEqualTo(204);
        assertThat(identities(token)).hasSize(1);
        assertThat(identitiesOf("sas", idpUser)).isZero();
    }

    @Test
    void anAccountWithAPasswordMayUnlinkItsOnlyIdentity() {
        Account account = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        String idpUser = sasUser(Map.of("email", newEmail("pw"), "email_verified", true));
        link("sas", token, idpUser, PASSWORD_AT_PROVIDER);
        String id = identities(token).get(0).get("id").asString();
        assertThat(send("DELETE", "/api/v1/users/me/identities/" + id, token, (Object) null)
                        .status())
                .isEqualTo(204);
    }

    @Test
    void anotherUsersIdentityIsNotFound() {
        String idpUser = sasUser(Map.of("email", newEmail("mine"), "email_verified", true));
        String ownerToken =
                exchangeOk(signInWithSas(idpUser)).get("accessToken").asString();
        String id = identities(ownerToken).get(0).get("id").asString();
        Account stranger = register();
        String strangerToken = loginOk(stranger.username(), stranger.password()).accessToken();
        assertProblem(
                send("DELETE", "/api/v1/users/me/identities/" + id, strangerToken, (Object) null), 404, "not_found");
        assertThat(identities(ownerToken)).hasSize(1);
    }

    @Test
    void identitiesNeedASignedInUser() {
        assertProblem(get("/api/v1/users/me/identities", null), 401, "authentication");
        assertProblem(send("POST", "/api/v1/users/me/identities/sas", null, (Object) Map.of()), 401, "authentication");
    }
}
