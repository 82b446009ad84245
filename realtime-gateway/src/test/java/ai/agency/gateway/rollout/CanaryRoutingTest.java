package ai.agency.gateway.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.TestJwts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The memory route split between two real upstreams, "stable" and "canary" (20 % configured), through the gateway's
 * weight group: the split follows the weight, weight 0 sends nothing to the canary, a user stays on one side, and
 * the weight set at runtime (actuator on the management port) reaches the other replicas through the database.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "agency.gateway.rate-limit.enabled=false",
            "agency.gateway.routes.memory.canary.weight=20",
            "agency.gateway.rollout.sync-interval=1h" // the tests sync by hand
        })
@DatabaseTest
class CanaryRoutingTest {

    static final TestJwts JWTS = TestJwts.create();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final CanaryUpstreams stable = new CanaryUpstreams("stable");
    static final CanaryUpstreams canary = new CanaryUpstreams("canary");
    static final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    CanaryWeights weights;

    @Autowired
    JdbcClient jdbc;

    @TestConfiguration
    static class Tokens {
        @Bean
        JwtDecoder jwtDecoder() {
            return JWTS.decoder();
        }
    }

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) {
        registry.add("agency.gateway.routes.memory.uri", stable::uri);
        registry.add("agency.gateway.routes.memory.canary.uri", canary::uri);
    }

    @AfterAll
    static void stopUpstreams() {
        stable.close();
        canary.close();
    }

    @BeforeEach
    void configuredWeight() {
        weights.reset("memory", "test");
    }

    @Test
    void theSplitFollowsTheWeight() throws Exception {
        int toCanary = canaryShare(1000);

        // 20 % of 1000 users: the binomial's standard deviation is 12.6, so 100..300 is beyond 7 of them
        assertThat(toCanary).isBetween(100, 300);
    }

    @Test
    void weightZeroSendsNothingToTheCanaryAndHundredEverything() throws Exception {
        assertThat(setWeight(0).statusCode()).isEqualTo(200);
        int before = canary.requests.get();

        assertThat(canaryShare(300)).isZero();
        assertThat(canary.requests.get()).isEqualTo(before);

        assertThat(setWeight(100).statusCode()).isEqualTo(200);
        assertThat(canaryShare(100)).isEqualTo(100);
    }

    @Test
    void aUserStaysOnOneSideAndARaisedWeightKeepsTheCanarysUsers() throws Exception {
        UUID user = UUID.randomUUID();
        String first = version(user);
        for (int i = 0; i < 30; i++) {
            assertThat(version(user)).isEqualTo(first);
        }

        java.util.List<UUID> canaryUsers = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            UUID u = UUID.randomUUID();
            if (version(u).equals("canary")) {
                canaryUsers.add(u);
            }
        }
        assertThat(canaryUsers).isNotEmpty();
        setWeight(50);
        for (UUID u : canaryUsers) {
            assertThat(version(u)).as("user %s, on the canary at 20 %%", u).isEqualTo("canary");
        }
    }

    @Test
    void theWeightIsAGaugeAndItsChangesAreAudited() throws Exception {
        setWeight(35);
        version(UUID.randomUUID());

        String metrics = get(managementPort, "/actuator/prometheus").body();
        assertThat(metrics)
                .contains("agency_gateway_canary_weight{application=\"realtime-gateway\",route=\"memory\"} 35.0");
        assertThat(metrics).contains("agency_gateway_upstream_requests_seconds_count");

        JsonNode route =
                JSON.readTree(get(managementPort, "/actuator/canary/memory").body());
        assertThat(route.at("/state/weight").asInt()).isEqualTo(35);
        assertThat(route.at("/state/configuredWeight").asInt()).isEqualTo(20);
        assertThat(route.at("/changes/0/weight").asInt()).isEqualTo(35);
        assertThat(route.at("/changes/0/source").asString()).isEqualTo("operator");
        assertThat(route.at("/changes/0/reason").asString()).isEqualTo("test raises it");
    }

    @Test
    void aWeightAnotherReplicaStoredAppliesHereAtTheNextSync() throws Exception {
        jdbc.sql("""
                        INSERT INTO canary_weights (route, canary_uri, weight, source, reason)
                        VALUES ('memory', :uri, 0, 'alert', 'another replica rolled it back')
                        ON CONFLICT (route) DO UPDATE SET weight = 0, canary_uri = excluded.canary_uri
                        """).param("uri", canary.uri()).update();

        weights.sync();

        assertThat(weights.require("memory").weight()).isZero();
        assertThat(canaryShare(200)).isZero();
    }

    @Test
    void aStoredWeightForAnotherCanaryDoesNotApply() throws Exception {
        jdbc.sql("""
                        INSERT INTO canary_weights (route, canary_uri, weight, source, reason)
                        VALUES ('memory', 'http://an-older-canary:8082', 0, 'alert', 'rolled back last week')
                        ON CONFLICT (route) DO UPDATE SET weight = 0, canary_uri = excluded.canary_uri
                        """).update();

        weights.sync();

        assertThat(weights.require("memory").weight()).isEqualTo(20);
    }

    @Test
    void unknownRoutesAndWeightsOutOfRangeAreRefused() throws Exception {
        HttpResponse<String> unknown = post(managementPort, "/actuator/canary/tool", "{\"weight\":\"10\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("errorType").asString()).isEqualTo("not_found");

        HttpResponse<String> tooHigh = post(managementPort, "/actuator/canary/memory", "{\"weight\":\"101\"}");
        assertThat(tooHigh.statusCode()).isEqualTo(400);
        assertThat(tooHigh.body()).contains("weight");
        assertThat(weights.require("memory").weight()).isEqualTo(20);

        assertThat(post(managementPort, "/actuator/canary/memory", "{}").statusCode())
                .isEqualTo(400);
        // the public port has no actuator
        assertThat(post(port, "/actuator/canary/memory", "{\"weight\":\"0\"}").statusCode())
                .isEqualTo(404);
    }

    @Test
    void theAlertReceiverIsNotThereUnlessEnabled() throws Exception {
        HttpResponse<String> response = post(
                port,
                "/internal/rollouts/alerts",
                CanaryRollbackTest.payload("firing", "AgencyCanaryErrorRate", "memory"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(weights.require("memory").weight()).isEqualTo(20);
    }

    /** Requests of {@code users} different users; how many reached the canary. */
    private int canaryShare(int users) throws Exception {
        int toCanary = 0;
        for (int i = 0; i < users; i++) {
            if (version(UUID.randomUUID()).equals("canary")) {
                toCanary++;
            }
        }
        return toCanary;
    }

    private String version(UUID user) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/memories"))
                        .header("Authorization", "Bearer " + JWTS.user(user))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("X-Version").orElseThrow();
    }

    private HttpResponse<String> setWeight(int weight) throws Exception {
        HttpResponse<String> response = post(
                managementPort,
                "/actuator/canary/memory",
                "{\"weight\":\"" + weight + "\",\"reason\":\"test raises it\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    static HttpResponse<String> post(int port, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
