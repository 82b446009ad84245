package ai.agency.gateway.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.common.testsupport.TestJwts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
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
 * Automated rollback, as it happens in production: a canary that fails on purpose (a real upstream answering 500),
 * Alertmanager posting its webhook payload for the firing AgencyCanaryErrorRate alert of that route, the canary's
 * weight at 0 (gauge, audit), and every further request served by the stable version. Payloads without the secret
 * are refused with 401, payloads that are not Alertmanager's with 400.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "agency.gateway.rate-limit.enabled=false",
            "agency.gateway.routes.memory.canary.weight=50",
            "agency.gateway.rollout.sync-interval=1h",
            "agency.gateway.rollout.alert-receiver.enabled=true",
            "agency.gateway.rollout.alert-receiver.secret=" + CanaryRollbackTest.SECRET
        })
@DatabaseTest
class CanaryRollbackTest {

    static final String SECRET = "alertmanager-test-secret-0123456789";
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
        canary.status = 500; // the canary is broken on purpose
    }

    @Test
    void aFiringCanaryErrorRateAlertRollsTheCanaryBackAndEveryRequestReachesStable() throws Exception {
        int failed = 0;
        for (int i = 0; i < 100; i++) {
            if (request().statusCode() >= 500) {
                failed++;
            }
        }
        assertThat(failed).as("requests the broken canary failed at weight 50").isBetween(20, 80);

        HttpResponse<String> received = alert(SECRET, payload("firing", "AgencyCanaryErrorRate", "memory"));

        assertThat(received.statusCode()).as(received.body()).isEqualTo(200);
        assertThat(JSON.readTree(received.body()).path("rolledBack").toString()).isEqualTo("[\"memory\"]");
        assertThat(weights.require("memory").weight()).isZero();
        int canaryBefore = canary.requests.get();
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> response = request();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Version")).hasValue("stable");
        }
        assertThat(canary.requests.get()).isEqualTo(canaryBefore);

        String metrics = get(managementPort, "/actuator/prometheus").body();
        assertThat(metrics)
                .contains("agency_gateway_canary_weight{application=\"realtime-gateway\",route=\"memory\"} 0.0")
                .containsPattern("agency_gateway_canary_rollbacks_total\\{[^}]*route=\"memory\"} [1-9]")
                .contains("target=\"canary\"")
                .contains("status=\"500\"");
        JsonNode audit =
                JSON.readTree(get(managementPort, "/actuator/canary/memory").body());
        assertThat(audit.at("/changes/0/weight").asInt()).isZero();
        assertThat(audit.at("/changes/0/previousWeight").asInt()).isEqualTo(50);
        assertThat(audit.at("/changes/0/source").asString()).isEqualTo("alert");
        assertThat(audit.at("/changes/0/reason").asString()).startsWith("AgencyCanaryErrorRate firing since");
        // stored for the other replicas: one that syncs now gets weight 0 too
        assertThat(jdbc.sql("SELECT weight FROM canary_weights WHERE route = 'memory'")
                        .query(Integer.class)
                        .single())
                .isZero();
    }

    @Test
    void resolvedAlertsOtherAlertsAndRoutesWithoutCanaryChangeNothing() throws Exception {
        assertThat(alert(SECRET, payload("resolved", "AgencyCanaryErrorRate", "memory"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(alert(SECRET, payload("firing", "AgencyHeapHigh", "memory")).statusCode())
                .isEqualTo(200);
        HttpResponse<String> noCanary = alert(SECRET, payload("firing", "AgencyCanaryHighLatency", "tool"));
        assertThat(noCanary.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(noCanary.body()).path("ignored").toString()).isEqualTo("[\"tool\"]");

        assertThat(weights.require("memory").weight()).isEqualTo(50);
    }

    @Test
    void alertsWithoutTheSecretAreRefusedWith401() throws Exception {
        String payload = payload("firing", "AgencyCanaryErrorRate", "memory");
        for (String authorization : new String[] {null, "Bearer wrong-secret-0123456789", SECRET, "Basic " + SECRET}) {
            HttpResponse<String> refused = post("/internal/rollouts/alerts", authorization, payload);
            ProblemAssertions.assertProblem(
                    refused.statusCode(),
                    refused.headers().firstValue("Content-Type").orElse(""),
                    refused.body(),
                    401,
                    "authentication");
        }
        // not even a bad body is looked at without the secret
        HttpResponse<String> garbage = post("/internal/rollouts/alerts", null, "{not json");
        assertThat(garbage.statusCode()).isEqualTo(401);

        assertThat(weights.require("memory").weight()).isEqualTo(50);
    }

    @Test
    void payloadsThatAreNotAlertmanagersAreRefusedWith400() throws Exception {
        for (String body :
                List.of("{not json", "", "null", "{\"version\":\"4\",\"status\":\"firing\"}", "{\"alerts\":[{}]}")) {
            HttpResponse<String> refused = alert(SECRET, body);
            ProblemAssertions.assertProblem(
                    refused.statusCode(),
                    refused.headers().firstValue("Content-Type").orElse(""),
                    refused.body(),
                    400,
                    "validation");
        }
        HttpResponse<String> noAlerts = alert(SECRET, "{\"version\":\"4\",\"status\":\"firing\"}");
        assertThat(noAlerts.body()).contains("alerts");

        assertThat(weights.require("memory").weight()).isEqualTo(50);
    }

    @Test
    void anEnabledReceiverWithoutASecretRefusesToStart() {
        assertThatThrownBy(() -> new RolloutProperties.AlertReceiver(true, "", List.of("AgencyCanaryErrorRate")))
                .hasMessageContaining("AGENCY_GATEWAY_ROLLOUT_ALERT_RECEIVER_SECRET");
        assertThatThrownBy(() -> new RolloutProperties.AlertReceiver(true, "short", List.of("AgencyCanaryErrorRate")))
                .hasMessageContaining("too short");
        new RolloutProperties.AlertReceiver(false, "", List.of("AgencyCanaryErrorRate")); // disabled: no secret needed
    }

    /** Alertmanager's webhook payload (version 4) for one alert of the canary rules, as it posts it. */
    static String payload(String status, String alertname, String route) {
        return """
                {
                  "version": "4",
                  "groupKey": "{}/{action=\\"canary-rollback\\"}:{alertname=\\"%2$s\\", route=\\"%3$s\\"}",
                  "truncatedAlerts": 0,
                  "status": "%1$s",
                  "receiver": "gateway-canary-rollback",
                  "groupLabels": {"alertname": "%2$s", "route": "%3$s"},
                  "commonLabels": {"alertname": "%2$s", "application": "realtime-gateway", "route": "%3$s",
                                   "severity": "critical", "action": "canary-rollback"},
                  "commonAnnotations": {"summary": "Canary of route %3$s: 48%% of its requests fail"},
                  "externalURL": "http://alertmanager:9093",
                  "alerts": [
                    {
                      "status": "%1$s",
                      "labels": {"alertname": "%2$s", "application": "realtime-gateway", "route": "%3$s",
                                 "severity": "critical", "action": "canary-rollback"},
                      "annotations": {"summary": "Canary of route %3$s: 48%% of its requests fail",
                                      "runbook_url": "docs/operations.md#agencycanaryerrorrate"},
                      "startsAt": "2026-12-08T01:02:03.456Z",
                      "endsAt": "0001-01-01T00:00:00Z",
                      "generatorURL": "http://prometheus:9090/graph?g0.expr=...",
                      "fingerprint": "c0ffee0123456789"
                    }
                  ]
                }
                """.formatted(status, alertname, route);
    }

    private HttpResponse<String> alert(String secret, String body) throws Exception {
        return post("/internal/rollouts/alerts", "Bearer " + secret, body);
    }

    private HttpResponse<String> request() throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/memories"))
                        .header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
