package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.common.testsupport.TestHttp;
import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.common.testsupport.TestJwts;
import ai.agency.common.testsupport.UsageOwnerStub;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one Spring context of memory-service's integration tests: the real application on a random port, with a
 * database of its own, trusting tokens of {@link TestJwts}. Every test class extends this, so the context is shared.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        classes = {MemoryServiceApplication.class, MemoryApiTest.TestTokens.class})
@DatabaseTest
public abstract class MemoryApiTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    /** Tokens signed by a key made for the tests, and a decoder that trusts exactly that key. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class TestTokens {

        @Bean
        TestJwts testJwts() {
            return TestJwts.create();
        }

        @Bean
        JwtDecoder testJwtDecoder(TestJwts jwts) {
            return jwts.decoder();
        }
    }

    /** auth-service's usage endpoints: where the relay delivers and quotas are read. */
    protected static final UsageOwnerStub USAGE_OWNER = UsageOwnerStub.shared();

    @org.springframework.test.context.DynamicPropertySource
    static void usageOwner(org.springframework.test.context.DynamicPropertyRegistry registry) {
        registry.add("agency.usage.owner-url", USAGE_OWNER::url);
        registry.add("agency.usage.relay-interval", () -> "200ms");
        registry.add("agency.usage.ingest-secret", () -> UsageOwnerStub.SECRET);
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected TestJwts jwts;

    protected Response send(String method, String path, String token, String rawJson) {
        return TestHttp.send(port, method, path, token, rawJson);
    }

    protected Response post(String path, String token, Object body) {
        return send("POST", path, token, JSON.writeValueAsString(body));
    }

    protected Response get(String path, String token) {
        return send("GET", path, token, null);
    }

    protected Response delete(String path, String token) {
        return send("DELETE", path, token, null);
    }

    /** A new user's access token (role user). */
    protected String newUser() {
        return jwts.user(UUID.randomUUID());
    }

    protected Response add(String token, Map<String, ?> body) {
        return post("/api/v1/memories", token, body);
    }

    /** Adds {@code content} and returns its id, asserting it was stored. */
    protected String addOk(String token, String content) {
        return addOk(token, Map.of("content", content));
    }

    protected String addOk(String token, Map<String, ?> body) {
        Response response = add(token, body);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        JsonNode results = response.json().get("results");
        assertThat(results).hasSize(1);
        assertThat(results.get(0).get("event").asString()).isEqualTo("ADD");
        return results.get(0).get("id").asString();
    }

    protected Response search(String token, Map<String, ?> body) {
        return post("/api/v1/memories/search", token, body);
    }

    /** The {@code memory} texts of a search answer, best first. */
    protected static List<String> texts(Response searchResponse) {
        assertThat(searchResponse.status()).as(searchResponse.body()).isEqualTo(200);
        List<String> texts = new ArrayList<>();
        searchResponse
                .json()
                .get("results")
                .forEach(r -> texts.add(r.get("memory").asString()));
        return texts;
    }

    /** The ids of a search answer, best first. */
    protected static List<String> ids(Response searchResponse) {
        assertThat(searchResponse.status()).as(searchResponse.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        searchResponse.json().get("results").forEach(r -> ids.add(r.get("id").asString()));
        return ids;
    }

    protected static JsonNode assertProblem(Response response, int status, String errorType) {
        return ProblemAssertions.assertProblem(
                response.status(), response.contentType(), response.body(), status, errorType);
    }

    protected static List<String> errorFields(JsonNode problem) {
        return ProblemAssertions.errorFields(problem);
    }
}
