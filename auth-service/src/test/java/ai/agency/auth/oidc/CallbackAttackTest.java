package ai.agency.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the authorize and callback steps, against the real authorization server: reused, unknown and foreign
 * states, a callback delivered in another browser (login CSRF), codes that the token endpoint refuses (made up, or
 * stolen from another flow so that the PKCE verifier does not match), errors from the provider, and open redirects.
 * Each ends at the console with {@code #error=…}, never with a token or a 500.
 */
class CallbackAttackTest extends OidcTestBase {

    private String newIdpUser() {
        return sasUser(Map.of(
                "email",
                "cb-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org",
                "email_verified",
                true));
    }

    private static String query(String callbackUrl) {
        return URI.create(callbackUrl).getRawQuery();
    }

    @Test
    void aCallbackReplayedIsRefusedBecauseItsStateIsSpent() {
        Browser browser = browser();
        String callbackUrl = browser.untilCallback(authorizeUrl("sas"), newIdpUser(), PASSWORD_AT_PROVIDER);
        assertThat(browser.deliver(callbackUrl)).startsWith("/console/#code=");
        assertThat(browser.deliver(callbackUrl)).isEqualTo("/console/#error=invalid_state");
    }

    @Test
    void aCallbackDeliveredInAnotherBrowserIsRefused() {
        // login CSRF: the attacker signs in at the provider as themselves and hands the callback URL to a victim,
        // whose console would then be signed in to the attacker's account
        String attackerAtIdp = newIdpUser();
        String callbackUrl = browser().untilCallback(authorizeUrl("sas"), attackerAtIdp, PASSWORD_AT_PROVIDER);
        long codesBefore = jdbc.sql("SELECT count(*) FROM oidc_login_codes")
                .query(Long.class)
                .single();
        assertThat(browser().deliver(callbackUrl)).isEqualTo("/console/#error=browser_mismatch");
        assertThat(identitiesOf("sas", attackerAtIdp)).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM oidc_login_codes")
                        .query(Long.class)
                        .single())
                .as("no code was issued")
                .isEqualTo(codesBefore);
    }

    @Test
    void anUnknownOrMissingStateIsRefused() {
        String cookie = startFlow("sas").cookie();
        assertThat(callback("sas", "code=whatever&state=" + UUID.randomUUID(), cookie))
                .isEqualTo("/console/#error=invalid_state");
        assertThat(callback("sas", "code=whatever", cookie)).isEqualTo("/console/#error=invalid_state");
    }

    @Test
    void aStateIsValidOnlyAtTheProviderItWasIssuedFor() {
        Flow flow = startFlow("sas");
        assertThat(callback("fake", "code=x&state=" + flow.state(), flow.cookie()))
                .isEqualTo("/console/#error=invalid_state");
        // and it was spent by the attempt
        assertThat(callback("sas", "code=x&state=" + flow.state(), flow.cookie()))
                .isEqualTo("/console/#error=invalid_state");
    }

    @Test
    void aMadeUpCodeIsRefusedByTheTokenEndpoint() {
        Flow flow = startFlow("sas");
        assertThat(callback("sas", "code=made-up-code&state=" + flow.state(), flow.cookie()))
                .isEqualTo("/console/#error=code_rejected");
    }

    @Test
    void aCodeStolenFromAnotherFlowFailsItsPkceCheck() {
        String idpUser = newIdpUser();
        String victimCallback = browser().untilCallback(authorizeUrl("sas"), idpUser, PASSWORD_AT_PROVIDER);
        String stolenCode = FakeOidcProvider.parse(query(victimCallback)).get("code");
        Flow attacker = startFlow("sas");
        String location = callback(
                "sas",
                "code=" + URLEncoder.encode(stolenCode, StandardCharsets.UTF_8) + "&state=" + attacker.state(),
                attacker.cookie());
        assertThat(location).isEqualTo("/console/#error=code_rejected");
        assertThat(identitiesOf("sas", idpUser)).isZero();
    }

    @Test
    void anErrorFromTheProviderEndsAtTheConsole() {
        Flow flow = startFlow("sas");
        assertThat(callback("sas", "error=access_denied&state=" + flow.state(), flow.cookie()))
                .isEqualTo("/console/#error=provider_denied");
        Flow another = startFlow("sas");
        assertThat(callback("sas", "state=" + another.state(), another.cookie()))
                .isEqualTo("/console/#error=invalid_request");
    }

    @Test
    void theConsolePathGivenIsWhereTheBrowserReturns() {
        String location = browser()
                .signIn(
                        "http://localhost:" + port + "/api/v1/auth/oidc/sas/authorize?redirect=/console/%3Ftab%3Dchat",
                        newIdpUser(),
                        PASSWORD_AT_PROVIDER);
        assertThat(location).startsWith("/console/?tab=chat#code=");
    }

    @Test
    void anythingButAConsolePathIsRefusedAsAnOpenRedirect() {
        for (String redirect : List.of(
                "https://evil.example/",
                "//evil.example/console/",
                "/\\evil.example",
                "/console\\..\\x",
                "http:/console/",
                "/console/../../evil",
                "/other/page",
                "/console/#code=planted")) {
            Response response = get(
                    "/api/v1/auth/oidc/sas/authorize?redirect=" + URLEncoder.encode(redirect, StandardCharsets.UTF_8),
                    null);
            assertThat(errorFields(assertProblem(response, 400, "validation")))
                    .as(redirect)
                    .containsExactly("redirect");
        }
    }

    @Test
    void anUnknownProviderIsA404() {
        assertProblem(get("/api/v1/auth/oidc/nope/authorize", null), 404, "not_found");
    }
}
