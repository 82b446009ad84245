package ai.agency.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.auth.oidc.FakeGitHub.GitHubUser;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Sign-in with GitHub's OAuth2 (no ID token): the user from {@code /user}, its verified email from {@code /user/emails}. */
class GitHubSignInTest extends OidcTestBase {

    private static GitHubUser gitHubUser(String email, boolean verified) {
        return new GitHubUser(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2), "Octo-Cat", email, verified);
    }

    private String signInWithGitHub() {
        return browser().signIn(authorizeUrl("github"), "", "");
    }

    @Test
    void firstSignInCreatesAnAccountKeyedOnTheNumericId() {
        String email = "octo-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        GitHubUser user = gitHubUser(email, true);
        GITHUB.next(user);
        JsonNode me = me(exchangeOk(signInWithGitHub()).get("accessToken").asString());
        assertThat(me.get("email").asString()).isEqualTo(email);
        assertThat(me.get("username").asString()).startsWith("octo-cat");
        assertThat(identitiesOf("github", Long.toString(user.id()))).isEqualTo(1);

        GITHUB.next(user);
        JsonNode again = me(exchangeOk(signInWithGitHub()).get("accessToken").asString());
        assertThat(again.get("id").asString()).isEqualTo(me.get("id").asString());
    }

    @Test
    void aVerifiedPrimaryEmailLinksToTheAccountThatHasIt() {
        Account account = register();
        GITHUB.next(gitHubUser(account.email(), true));
        JsonNode me = me(exchangeOk(signInWithGitHub()).get("accessToken").asString());
        assertThat(me.get("id").asString()).isEqualTo(account.id().toString());
    }

    @Test
    void anUnverifiedEmailNeverLinks() {
        Account account = register();
        GitHubUser user = gitHubUser(account.email(), false);
        GITHUB.next(user);
        assertThat(signInWithGitHub()).isEqualTo("/console/#error=email_in_use");
        assertThat(identitiesOf("github", Long.toString(user.id()))).isZero();
    }

    @Test
    void aCodeGitHubDoesNotKnowIsRefused() {
        Flow flow = startFlow("github");
        assertThat(callback("github", "code=expired-code&state=" + flow.state(), flow.cookie()))
                .isEqualTo("/console/#error=code_rejected");
    }
}
