package ai.agency.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.auth.AuthApiTest;
import ai.agency.common.testsupport.TestHttp.Response;
import java.util.Map;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * auth-service with three providers: {@code sas}, a real Spring Authorization Server in the test JVM (its
 * {@code groups} claim maps {@code platform-viewers} to {@code viewer}); {@code fake}, a small OIDC server whose ID
 * tokens a test can spoil; {@code github}, a local GitHub. The platform's public URL is {@link #PUBLIC_URL}: the
 * browser reaches auth-service in its place. Every OIDC test class extends this, so they share one context.
 */
public abstract class OidcTestBase extends AuthApiTest {

    static final String PUBLIC_URL = "http://platform.invalid";
    static final String PASSWORD_AT_PROVIDER = "provider-password";

    static final TestIdentityProvider SAS;
    static final FakeOidcProvider FAKE;
    static final FakeGitHub GITHUB;

    static {
        try {
            SAS = TestIdentityProvider.start(PUBLIC_URL + "/api/v1/auth/oidc/sas/callback");
            FAKE = new FakeOidcProvider();
            GITHUB = new FakeGitHub();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void providers(DynamicPropertyRegistry registry) {
        registry.add("agency.security.issuer", () -> PUBLIC_URL);
        registry.add("agency.auth.oidc.providers.sas.name", () -> "Test IdP");
        registry.add("agency.auth.oidc.providers.sas.issuer-uri", SAS::issuer);
        registry.add("agency.auth.oidc.providers.sas.client-id", () -> TestIdentityProvider.CLIENT_ID);
        registry.add("agency.auth.oidc.providers.sas.client-secret", () -> TestIdentityProvider.CLIENT_SECRET);
        registry.add("agency.auth.oidc.providers.sas.role-claim", () -> "groups");
        registry.add("agency.auth.oidc.providers.sas.role-mapping.platform-viewers", () -> "viewer");
        registry.add("agency.auth.oidc.providers.fake.name", () -> "Fake");
        registry.add("agency.auth.oidc.providers.fake.issuer-uri", FAKE::issuer);
        registry.add("agency.auth.oidc.providers.fake.client-id", () -> FakeOidcProvider.CLIENT_ID);
        registry.add("agency.auth.oidc.providers.fake.client-secret", () -> FakeOidcProvider.CLIENT_SECRET);
        registry.add("agency.auth.oidc.providers.github.name", () -> "GitHub");
        registry.add("agency.auth.oidc.providers.github.type", () -> "github");
        registry.add("agency.auth.oidc.providers.github.client-id", () -> FakeGitHub.CLIENT_ID);
        registry.add("agency.auth.oidc.providers.github.client-secret", () -> FakeGitHub.CLIENT_SECRET);
        registry.add(
                "agency.auth.oidc.providers.github.authorization-uri",
                () -> GITHUB.baseUrl() + "/login/oauth/authorize");
        registry.add(
                "agency.auth.oidc.providers.github.token-uri", () -> GITHUB.baseUrl() + "/login/oauth/access_token");
        registry.add("agency.auth.oidc.providers.github.user-info-uri", () -> GITHUB.baseUrl() + "/user");
    }

    protected Browser browser() {
        return new Browser(PUBLIC_URL, port);
    }

    protected String authorizeUrl(String provider) {
        return "http://localhost:" + port + "/api/v1/auth/oidc/" + provider + "/authorize?redirect=/console/";
    }

    /** A new user at the test IdP with these ID-token claims; answers its username there. */
    protected static String sasUser(Map<String, Object> claims) {
        String username = "idp-" + UUID.randomUUID().toString().substring(0, 8);
        SAS.addUser(username, PASSWORD_AT_PROVIDER, claims);
        return username;
    }

    /** Signs in at the test IdP through the whole flow; answers the console location the callback sent back. */
    protected String signInWithSas(String username) {
        return browser().signIn(authorizeUrl("sas"), username, PASSWORD_AT_PROVIDER);
    }

    /** A flow started at auth-service: its state, and the flow cookie of the browser that started it. */
    protected record Flow(String state, String cookie) {}

    /** Starts a flow at auth-service as a browser would (no redirect followed). */
    protected Flow startFlow(String provider) {
        Response response = get("/api/v1/auth/oidc/" + provider + "/authorize", null);
        assertThat(response.status()).as(response.body()).isEqualTo(302);
        String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie)
                .startsWith("agency_oidc_flow=agb_")
                .contains("HttpOnly")
                .contains("SameSite=Lax")
                .contains("Path=/api/v1/auth/oidc/");
        Map<String, String> query = FakeOidcProvider.parse(java.net
                .URI
                .create(response.headers().firstValue("Location").orElseThrow())
                .getRawQuery());
        return new Flow(query.get("state"), cookie.split(";", 2)[0]);
    }

    /** Delivers a callback with the given cookie (null: none); answers the console location auth-service sends. */
    protected String callback(String provider, String rawQuery, String cookie) {
        Response response = send(
                "GET",
                "/api/v1/auth/oidc/" + provider + "/callback?" + rawQuery,
                null,
                (String) null,
                cookie == null ? Map.of() : Map.of("Cookie", cookie));
        assertThat(response.status()).as(response.body()).isEqualTo(302);
        return response.headers().firstValue("Location").orElseThrow();
    }

    /** The one-time code of a console location {@code /console/#code=…}. */
    protected static String codeOf(String location) {
        assertThat(location).as("console location").contains("#code=");
        return location.substring(location.indexOf("#code=") + "#code=".length());
    }

    protected Response exchange(String code) {
        return post("/api/v1/auth/oidc/exchange", Map.of("code", code));
    }

    /** Exchanges a console location's code; answers the exchange's JSON (tokens and reauthToken). */
    protected JsonNode exchangeOk(String location) {
        Response response = exchange(codeOf(location));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    protected JsonNode me(String accessToken) {
        Response response = get("/api/v1/users/me", accessToken);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    protected long usersWithEmail(String email) {
        return jdbc.sql("SELECT count(*) FROM users WHERE lower(email) = lower(:e)")
                .param("e", email)
                .query(Long.class)
                .single();
    }

    protected long identitiesOf(String provider, String subject) {
        return jdbc.sql("SELECT count(*) FROM user_identities WHERE provider = :p AND subject = :s")
                .param("p", provider)
                .param("s", subject)
                .query(Long.class)
                .single();
    }
}
