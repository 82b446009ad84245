package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.common.testsupport.TestHttp;
import ai.agency.common.testsupport.TestHttp.Response;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one Spring context of auth-service's integration tests: the real application on a random port, with a database
 * of its own, driven over HTTP. Every test class extends this (same annotations, so the context is shared).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "agency.auth.bcrypt-cost=10",
            "agency.auth.master-key=" + AuthApiTest.MASTER_KEY,
            "agency.usage.ingest-secret=" + AuthApiTest.USAGE_SECRET,
            "agency.auth.admin-username=" + AuthApiTest.ADMIN_USERNAME,
            "agency.auth.admin-password=" + AuthApiTest.ADMIN_PASSWORD,
            "agency.auth.login-limits.max-failures-per-username=5",
            "agency.auth.login-limits.max-failures-per-address=20",
            "agency.auth.login-limits.first-delay=30s" // long enough that no test races the first delay
        })
@DatabaseTest
public abstract class AuthApiTest {

    /** Base64 of 32 fixed bytes (0x01..0x20). */
    public static final String MASTER_KEY = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

    /** The services' shared secret for {@code POST /internal/usage/events}. */
    public static final String USAGE_SECRET = "usage-ingest-secret-for-tests";

    /** The other services' account-data endpoints: one stub, a path prefix per service. */
    @org.springframework.test.context.DynamicPropertySource
    static void accountDataServices(org.springframework.test.context.DynamicPropertyRegistry registry) {
        for (String service : AccountDataStub.SERVICES) {
            registry.add(
                    "agency.auth.account-data.services[" + service + "]",
                    () -> AccountDataStub.shared().url() + "/" + service);
        }
        registry.add("agency.auth.account-data.poll-interval", () -> "200ms");
        registry.add("agency.auth.account-data.max-retry-delay", () -> "1s");
    }

    public static final String ADMIN_USERNAME = "root-admin";
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    public static final String PASSWORD = "correct horse battery";

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    protected int port;

    /** A registered account and its password. */
    protected record Account(UUID id, String username, String email, String password) {}

    /** A login's token pair. */
    protected record Tokens(String accessToken, String refreshToken) {}

    @Autowired
    protected JdbcClient jdbc;

    protected Response send(String method, String path, String token, String rawJson) {
        return send(method, path, token, rawJson, Map.of());
    }

    protected Response send(String method, String path, String token, String rawJson, Map<String, String> headers) {
        return TestHttp.send(URI.create("http://localhost:" + port + path), method, token, rawJson, headers);
    }

    protected Response post(String path, Object body) {
        return send("POST", path, null, JSON.writeValueAsString(body));
    }

    protected Response send(String method, String path, String token, Object body) {
        return send(method, path, token, body == null ? null : JSON.writeValueAsString(body));
    }

    /** A login as if from {@code address} (the test client is a trusted proxy, so X-Forwarded-For is believed). */
    protected Response loginFrom(String address, String username, String password) {
        return send(
                "POST",
                "/api/v1/auth/login",
                null,
                JSON.writeValueAsString(Map.of("username", username, "password", password)),
                Map.of("X-Forwarded-For", address));
    }

    /** A random documentation-range address, so that tests never share an address's failure count. */
    protected static String randomAddress() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return "198.51." + r.nextInt(256) + "." + r.nextInt(1, 255);
    }

    protected String adminToken() {
        return loginOk(ADMIN_USERNAME, ADMIN_PASSWORD).accessToken();
    }

    /** Registers an account and gives it these roles (through the admin API); answers its fresh tokens. */
    protected Tokens accountWithRoles(Account account, List<String> roles) {
        Response response = send(
                "PUT", "/api/v1/admin/users/" + account.id() + "/roles", adminToken(), (Object) Map.of("roles", roles));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return loginOk(account.username(), account.password());
    }

    protected Response get(String path, String token) {
        return send("GET", path, token, null);
    }

    protected static String uniqueUsername(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected Account register() {
        String username = uniqueUsername("user");
        String email = username + "@example.com";
        Response response =
                post("/api/v1/auth/register", Map.of("username", username, "email", email, "password", PASSWORD));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return new Account(UUID.fromString(response.json().get("id").asString()), username, email, PASSWORD);
    }

    protected Response login(String username, String password) {
        return post("/api/v1/auth/login", Map.of("username", username, "password", password));
    }

    protected Tokens loginOk(String username, String password) {
        Response response = login(username, password);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode json = response.json();
        return new Tokens(
                json.get("accessToken").asString(), json.get("refreshToken").asString());
    }

    protected Response refresh(String refreshToken) {
        return post("/api/v1/auth/refresh", Map.of("refreshToken", refreshToken));
    }

    protected static JsonNode assertProblem(Response response, int status, String errorType) {
        return ProblemAssertions.assertProblem(
                response.status(), response.contentType(), response.body(), status, errorType);
    }

    protected static List<String> errorFields(JsonNode problem) {
        return ProblemAssertions.errorFields(problem);
    }

    /** The decoded JSON of part {@code index} (0 header, 1 claims) of a compact JWT. */
    protected static JsonNode jwtPart(String jwt, int index) {
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        return JSON.readTree(Base64.getUrlDecoder().decode(parts[index]));
    }
}
