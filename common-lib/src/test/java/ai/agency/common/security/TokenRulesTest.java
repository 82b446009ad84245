package ai.agency.common.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

class TokenRulesTest {

    private final UUID alice = UUID.randomUUID();

    private Jwt token() {
        return Jwt.withTokenValue("t")
                .header("alg", "ES256")
                .issuer("agency")
                .audience(List.of("agency-platform"))
                .subject(alice.toString())
                .claim("ver", 0)
                .build();
    }

    @Test
    void aValidTokenBeforeTheRevocationListWasReadIsUncheckableNotInvalid() {
        // a service started while PostgreSQL was down answered every valid token 401 ("sign in again")
        // until its revocation feed could be read; it is a 503 with Retry-After now (the entry point's answer to an
        // AuthenticationServiceException), and still never accepted
        TokenRules rules = new TokenRules("agency", "agency-platform", new Revocations());

        assertThatThrownBy(() -> rules.check(token())).isInstanceOf(AuthenticationServiceException.class);
    }

    @Test
    void onceReadTheSameTokenPassesAndARevokedOneIs401() {
        Revocations revocations = new Revocations();
        revocations.markReady();
        TokenRules rules = new TokenRules("agency", "agency-platform", revocations);

        assertThatCode(() -> rules.check(token())).doesNotThrowAnyException();
        revocations.apply(List.of(new Revocations.Revocation(1, alice, 1, null, "logout_all")));
        assertThatThrownBy(() -> rules.check(token())).isInstanceOf(InvalidBearerTokenException.class);
    }
}
