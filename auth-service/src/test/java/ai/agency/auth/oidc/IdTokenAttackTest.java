package ai.agency.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.auth.oidc.FakeOidcProvider.Attack;
import ai.agency.auth.oidc.FakeOidcProvider.FakeUser;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ID tokens a real server would not send, from a small provider speaking the real protocol: each is refused at the
 * callback ({@code #error=invalid_id_token}), and no account or identity comes of it.
 */
class IdTokenAttackTest extends OidcTestBase {

    private static FakeUser fakeUser() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        return new FakeUser("sub-" + id, "fake-" + id + "@example.org", true, "fake-" + id);
    }

    private String signInWithFake() {
        return browser().signIn(authorizeUrl("fake"), "", "");
    }

    @Test
    void aWellFormedIdTokenSignsIn() {
        FakeUser user = fakeUser();
        FAKE.next(user, Attack.NONE);
        String location = signInWithFake();
        assertThat(me(exchangeOk(location).get("accessToken").asString())
                        .get("email")
                        .asString())
                .isEqualTo(user.email());
        assertThat(identitiesOf("fake", user.subject())).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(
            value = Attack.class,
            names = {
                "TAMPERED_PAYLOAD",
                "FOREIGN_KEY",
                "WRONG_NONCE",
                "WRONG_AUDIENCE",
                "WRONG_ISSUER",
                "EXPIRED",
                "ALG_NONE"
            })
    void aSpoiledIdTokenIsRefused(Attack attack) {
        FakeUser user = fakeUser();
        FAKE.next(user, attack);
        assertThat(signInWithFake()).isEqualTo("/console/#error=invalid_id_token");
        assertThat(usersWithEmail(user.email())).isZero();
        assertThat(identitiesOf("fake", user.subject())).isZero();
        assertThat(identitiesOf("fake", "victim-subject")).isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM audit_events WHERE type = 'login.failure' "
                                + "AND details->>'provider' = 'fake' AND details->>'reason' = 'invalid_id_token'")
                        .query(Long.class)
                        .single())
                .isPositive();
    }
}
