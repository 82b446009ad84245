package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.common.testsupport.TestJwts;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class LoginAndTokenTest extends AuthApiTest {

    @Test
    void loginAnswersABearerTokenPair() {
        Account account = register();

        Response response = login(account.username(), account.password());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode pair = response.json();
        assertThat(pair.get("accessToken").asString()).isNotBlank();
        assertThat(pair.get("refreshToken").asString()).isNotBlank();
        assertThat(pair.get("refreshToken").asString())
                .isNotEqualTo(pair.get("accessToken").asString());
        assertThat(pair.get("tokenType").asString()).isEqualTo("Bearer");
        assertThat(pair.get("expiresIn").asLong()).isBetween(1L, 900L);
    }

    @Test
    void loginIgnoresTheCaseOfTheUsername() {
        Account account = register();

        assertThat(login(account.username().toUpperCase(), account.password()).status())
                .isEqualTo(200);
    }

    @Test
    void accessTokenIsAnEs256JwtSignedByAKeyPublishedInTheJwks() throws Exception {
        Account account = register();
        String accessToken = loginOk(account.username(), account.password()).accessToken();

        JsonNode header = jwtPart(accessToken, 0);
        assertThat(header.get("alg").asString()).isEqualTo("ES256");
        String kid = header.get("kid").asString();
        assertThat(kid).isNotBlank();

        Response jwks = get("/.well-known/jwks.json", null);
        assertThat(jwks.status()).isEqualTo(200);
        JWKSet keys = JWKSet.parse(jwks.body());
        assertThat(keys.getKeys()).extracting(k -> k.getKeyID()).contains(kid);
        ECKey key = (ECKey) keys.getKeyByKeyId(kid);
        assertThat(key.isPrivate())
                .as("the JWKS must not publish private key material")
                .isFalse();
        assertThat(SignedJWT.parse(accessToken).verify(new ECDSAVerifier(key))).isTrue();
    }

    @Test
    void jwksIsAlsoServedUnderTheAuthApi() throws Exception {
        Account account = register();
        String kid = jwtPart(loginOk(account.username(), account.password()).accessToken(), 0)
                .get("kid")
                .asString();

        Response wellKnown = get("/.well-known/jwks.json", null);
        Response api = get("/api/v1/auth/jwks", null);

        assertThat(api.status()).isEqualTo(200);
        assertThat(JWKSet.parse(api.body()).getKeyByKeyId(kid)).isNotNull();
        assertThat(JWKSet.parse(api.body()).toJSONObject())
                .isEqualTo(JWKSet.parse(wellKnown.body()).toJSONObject());
        List<String> publicUse = new ArrayList<>();
        JWKSet.parse(api.body())
                .getKeys()
                .forEach(k -> publicUse.add(k.getKeyUse().identifier()));
        assertThat(publicUse).containsOnly("sig");
    }

    @Test
    void accessTokenClaimsNameTheUserTheirRolesAndScopesAndLiveAtMost15Minutes() {
        Account account = register();
        String accessToken = loginOk(account.username(), account.password()).accessToken();

        JsonNode claims = jwtPart(accessToken, 1);

        assertThat(claims.get("sub").asString()).isEqualTo(account.id().toString());
        assertThat(claims.get("username").asString()).isEqualTo(account.username());
        assertThat(claims.get("roles")).hasSize(1);
        assertThat(claims.get("roles").get(0).asString()).isEqualTo("user");
        assertThat(claims.get("scope").asString().split(" ")).containsExactlyInAnyOrder("read", "write", "delete");
        long lifetime = claims.get("exp").asLong() - claims.get("iat").asLong();
        assertThat(lifetime).isPositive().isLessThanOrEqualTo(900);
        assertThat(claims.get("jti").asString()).isNotBlank();
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameAnswer() {
        Account account = register();

        JsonNode wrongPassword =
                assertProblem(login(account.username(), "not the password at all"), 401, "authentication");
        JsonNode unknownUser = assertProblem(login(uniqueUsername("nobody"), PASSWORD), 401, "authentication");

        assertThat(wrongPassword.get("detail").asString())
                .isEqualTo(unknownUser.get("detail").asString());
        assertThat(wrongPassword.get("title").asString())
                .isEqualTo(unknownUser.get("title").asString());
        assertThat(wrongPassword.has("errors")).isFalse();
        assertThat(unknownUser.has("errors")).isFalse();
    }

    @Test
    void meAnswersTheCallersAccount() {
        Account account = register();
        String accessToken = loginOk(account.username(), account.password()).accessToken();

        Response response = get("/api/v1/users/me", accessToken);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode me = response.json();
        assertThat(me.get("id").asString()).isEqualTo(account.id().toString());
        assertThat(me.get("username").asString()).isEqualTo(account.username());
        assertThat(me.get("email").asString()).isEqualTo(account.email());
        assertThat(me.get("roles")).hasSize(1);
        assertThat(me.get("roles").get(0).asString()).isEqualTo("user");
        assertThat(me.get("preferences").isObject()).isTrue();
        assertThat(me.get("createdAt").asString()).isNotBlank();
    }

    @Test
    void meWithoutATokenIsUnauthenticated() {
        JsonNode problem = assertProblem(get("/api/v1/users/me", null), 401, "authentication");

        assertThat(problem.get("instance").asString()).isEqualTo("/api/v1/users/me");
    }

    @Test
    void meWithAGarbageTokenIsUnauthenticated() {
        assertProblem(get("/api/v1/users/me", "not.a.jwt"), 401, "authentication");
        assertProblem(get("/api/v1/users/me", "garbage"), 401, "authentication");
    }

    @Test
    void meWithATokenSignedByAnotherKeyIsUnauthenticated() {
        Account account = register();
        String forged = TestJwts.create().user(account.id());

        assertProblem(get("/api/v1/users/me", forged), 401, "authentication");
    }

    @Test
    void meWithATamperedTokenIsUnauthenticated() {
        Account account = register();
        Account other = register();
        String token = loginOk(account.username(), account.password()).accessToken();
        String[] parts = token.split("\\.");
        String claims = new String(java.util.Base64.getUrlDecoder().decode(parts[1]))
                .replace(account.id().toString(), other.id().toString());
        String tampered = parts[0] + "."
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes()) + "."
                + parts[2];

        assertProblem(get("/api/v1/users/me", tampered), 401, "authentication");
    }
}
