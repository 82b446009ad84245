package ai.agency.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.web.ProblemTestApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The scope rule and the token rules of every service, through a real server built on common-lib: each test is an
 * attack a narrow or stale credential could try.
 */
@SpringBootTest(
        classes = ProblemTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.application.name=rules-test", "agency.security.revocation.enabled=false"})
class TokenAndScopeRulesTest {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @LocalServerPort
    int port;

    @Autowired
    Revocations revocations;

    private final UUID alice = UUID.randomUUID();

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString("{\"name\":\"w\",\"count\":1}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aReadOnlyTokenOfAnAdminCannotWrite() throws Exception {
        String readOnly = ProblemTestApplication.JWTS.withScopes(alice, List.of("admin", "user"), List.of("read"));

        HttpResponse<String> write = call("POST", "/test/widgets", readOnly);

        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(write.body()).contains("\"errorType\":\"authorization\"");
        assertThat(call("GET", "/test/widgets/x", readOnly).statusCode())
                .as("reads still work")
                .isEqualTo(404);
        assertThat(call("POST", "/api/v1/memories/search", readOnly).statusCode())
                .as("a POST that only reads needs only read")
                .isEqualTo(200);
    }

    @Test
    void aTokenWithoutDeleteCannotDelete() throws Exception {
        String writer = ProblemTestApplication.JWTS.withScopes(alice, List.of("user"), List.of("read", "write"));

        assertThat(call("DELETE", "/test/widgets/x", writer).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/test/widgets", writer).statusCode()).isEqualTo(200);
        String deleter = ProblemTestApplication.JWTS.withScopes(alice, List.of("user"), List.of("read", "delete"));
        assertThat(call("DELETE", "/test/widgets/x", deleter).statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyTokenMayRevokeItsOwnKeyButNoOther() throws Exception {
        UUID key = UUID.randomUUID();
        String viaKey = ProblemTestApplication.JWTS.token(
                alice,
                List.of("user"),
                List.of("read", "write"),
                Duration.ofMinutes(5),
                Map.of("api_key_id", key.toString()));

        assertThat(call("DELETE", "/api/v1/auth/api-keys/" + UUID.randomUUID(), viaKey)
                        .statusCode())
                .isEqualTo(403);
        assertThat(call("DELETE", "/api/v1/auth/api-keys/" + key, viaKey).statusCode())
                .isEqualTo(200);
    }

    @Test
    void anAdminTokenWithoutManageUsersCannotUseAdminPaths() throws Exception {
        String narrow = ProblemTestApplication.JWTS.withScopes(
                alice, List.of("admin", "user"), List.of("read", "write", "delete"));

        assertThat(call("GET", "/api/v1/admin/things", narrow).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/v1/admin/things", ProblemTestApplication.JWTS.admin(alice))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void aTokenOfAnotherIssuerOrAudienceIsRefused() throws Exception {
        String otherIssuer = ProblemTestApplication.JWTS.token(
                alice, List.of("user"), List.of("read"), Duration.ofMinutes(5), Map.of("iss", "https://evil.example"));
        String otherAudience = ProblemTestApplication.JWTS.token(
                alice, List.of("user"), List.of("read"), Duration.ofMinutes(5), Map.of("aud", "another-api"));

        assertThat(call("GET", "/test/widgets/x", otherIssuer).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/test/widgets/x", otherAudience).statusCode()).isEqualTo(401);
    }

    @Test
    void aRevokedTokenIsRefusedAtOnceEvenWhenItWasVerifiedBefore() throws Exception {
        UUID bob = UUID.randomUUID();
        String old = ProblemTestApplication.JWTS.token(
                bob, List.of("user"), List.of("read", "write"), Duration.ofMinutes(5), Map.of("ver", 0));
        assertThat(call("GET", "/test/widgets/x", old).statusCode()).isEqualTo(404); // verified (and cached)

        revocations.apply(List.of(new Revocations.Revocation(nextId(), bob, 1, null, "logout_all")));

        assertThat(call("GET", "/test/widgets/x", old).statusCode()).isEqualTo(401);
        String renewed = ProblemTestApplication.JWTS.token(
                bob, List.of("user"), List.of("read", "write"), Duration.ofMinutes(5), Map.of("ver", 1));
        assertThat(call("GET", "/test/widgets/x", renewed).statusCode()).isEqualTo(404);
    }

    /** Found by SecurityIT under load: a JWKS fetch that timed out was a 500. */
    @Test
    void aTokenThatCannotBeCheckedRightNowIsA503ProblemNotA500() throws Exception {
        HttpResponse<String> response = call("GET", "/test/widgets/x", ProblemTestApplication.UNCHECKABLE);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"errorType\":\"service_unavailable\"");
        assertThat(response.headers().firstValue("Retry-After")).contains("5");
    }

    @Test
    void aTokenOfADeletedApiKeyIsRefused() throws Exception {
        UUID key = UUID.randomUUID();
        String viaKey = ProblemTestApplication.JWTS.token(
                alice, List.of("viewer"), List.of("read"), Duration.ofMinutes(5), Map.of("api_key_id", key.toString()));
        assertThat(call("GET", "/test/widgets/x", viaKey).statusCode()).isEqualTo(404);

        revocations.apply(List.of(new Revocations.Revocation(nextId(), alice, 0, key, "api_key_revoked")));

        assertThat(call("GET", "/test/widgets/x", viaKey).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/test/widgets/x", ProblemTestApplication.JWTS.user(alice))
                        .statusCode())
                .as("the owner's other tokens are untouched")
                .isEqualTo(404);
    }

    private long nextId() {
        return revocations.lastId() + 1;
    }
}
