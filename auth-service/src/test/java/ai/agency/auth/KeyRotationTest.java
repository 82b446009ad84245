package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.auth.key.KeyRotation;
import ai.agency.common.testsupport.TestHttp.Response;
import com.nimbusds.jose.jwk.JWKSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class KeyRotationTest extends AuthApiTest {

    @Autowired
    KeyRotation rotation;

    @Test
    void anAdminRotatesTheKeyAndTokensOfTheOldKeyKeepWorking() throws Exception {
        Account account = register();
        String before = loginOk(account.username(), account.password()).accessToken();
        String oldKid = jwtPart(before, 0).get("kid").asString();

        Response rotated = send("POST", "/api/v1/admin/keys/rotate", adminToken(), (String) null);

        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String newKid = rotated.json().get("kid").asString();
        assertThat(newKid).isNotEqualTo(oldKid);
        String after = loginOk(account.username(), account.password()).accessToken();
        assertThat(jwtPart(after, 0).get("kid").asString()).isEqualTo(newKid);
        JWKSet jwks = JWKSet.parse(get("/.well-known/jwks.json", null).body());
        assertThat(jwks.getKeyByKeyId(oldKid)).as("retired key stays published").isNotNull();
        assertThat(jwks.getKeyByKeyId(newKid)).isNotNull();
        assertThat(get("/api/v1/users/me", before).status()).isEqualTo(200);
        assertThat(get("/api/v1/users/me", after).status()).isEqualTo(200);
        assertThat(jdbc.sql(
                                "SELECT count(*) FROM audit_events WHERE type = 'signing_key.rotated' AND details->>'kid' = :k")
                        .param("k", newKid)
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void aRetiredKeyLeavesTheJwksOnceItsLastTokenHasExpired() throws Exception {
        Account account = register();
        String before = loginOk(account.username(), account.password()).accessToken();
        String oldKid = jwtPart(before, 0).get("kid").asString();
        send("POST", "/api/v1/admin/keys/rotate", adminToken(), (String) null);

        // the retired key's publication ends one token lifetime after retirement; let that time pass
        jdbc.sql("UPDATE signing_keys SET expires_at = now() - interval '1 second' WHERE kid = :k")
                .param("k", oldKid)
                .update();

        assertThat(JWKSet.parse(get("/.well-known/jwks.json", null).body()).getKeyByKeyId(oldKid))
                .isNull();
        assertProblem(get("/api/v1/users/me", before), 401, "authentication");
    }

    @Test
    void scheduledRotationReplacesOnlyAKeyOlderThanThePeriod() {
        assertThat(rotation.rotateIfDue()).as("a fresh key is not rotated").isEmpty();

        jdbc.sql("UPDATE signing_keys SET created_at = now() - interval '31 days' WHERE retired_at IS NULL")
                .update();

        String kid = rotation.rotateIfDue().orElseThrow();
        Account account = register();
        assertThat(jwtPart(loginOk(account.username(), account.password()).accessToken(), 0)
                        .get("kid")
                        .asString())
                .isEqualTo(kid);
        assertThat(rotation.rotateIfDue()).isEmpty();
    }
}
