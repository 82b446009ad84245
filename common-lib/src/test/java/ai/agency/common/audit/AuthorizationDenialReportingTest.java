package ai.agency.common.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.web.ProblemTestApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A service built on common-lib refuses requests; its denials reach a real local HTTP receiver standing in for
 * auth-service, with the caller's own token as the credential and no secrets in the body.
 */
@SpringBootTest(
        classes = ProblemTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.application.name=widget-service")
class AuthorizationDenialReportingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AuditReceiver RECEIVER = receiver();

    private static AuditReceiver receiver() {
        try {
            return new AuditReceiver();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void reporterUrl(DynamicPropertyRegistry registry) {
        registry.add("agency.audit.reporter.url", () -> RECEIVER.endpoint().toString());
    }

    @AfterAll
    static void stop() {
        RECEIVER.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void reset() {
        RECEIVER.received.clear();
        RECEIVER.status = 202;
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private double dropped(String reason) {
        var counter = meters.find(HttpAuditReporter.DROPPED_METRIC)
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aMethodSecurityDenialIsReportedWithTheCallersOwnToken() throws Exception {
        UUID user = UUID.randomUUID();
        String token = ProblemTestApplication.JWTS.user(user);

        HttpResponse<String> response = call("GET", "/test/admin?secret=query-must-not-leak", token);

        assertThat(response.statusCode()).isEqualTo(403);
        AuditReceiver.Received received = RECEIVER.next();
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.path()).isEqualTo("/api/v1/audit/events");
        assertThat(received.authorization()).isEqualTo("Bearer " + token);
        JsonNode event = JSON.readTree(received.body()).get("events").get(0);
        assertThat(event.get("service").asString()).isEqualTo("widget-service");
        assertThat(event.get("method").asString()).isEqualTo("GET");
        assertThat(event.get("path").asString()).isEqualTo("/test/admin");
        assertThat(event.get("reason").asString()).contains("hasRole('admin')");
        assertThat(event.get("traceId").asString())
                .isEqualTo(JSON.readTree(response.body()).get("traceId").asString());
        assertThat(received.body()).doesNotContain(token).doesNotContain("query-must-not-leak");
    }

    @Test
    void aForbiddenAgencyExceptionIsReportedWithItsMessage() throws Exception {
        String token = ProblemTestApplication.JWTS.user(UUID.randomUUID()); // may write: the controller refuses

        assertThat(call("POST", "/test/forbidden", token).statusCode()).isEqualTo(403);

        JsonNode event = JSON.readTree(RECEIVER.next().body()).get("events").get(0);
        assertThat(event.get("method").asString()).isEqualTo("POST");
        assertThat(event.get("reason").asString()).isEqualTo("Viewers cannot change widgets");
    }

    @Test
    void anonymousRequestsAndAllowedOnesAreNotReported() throws Exception {
        assertThat(call("GET", "/test/admin", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/test/admin", ProblemTestApplication.JWTS.admin(UUID.randomUUID()))
                        .statusCode())
                .isEqualTo(200);
        // a denial afterwards is the first thing the receiver sees
        String token = ProblemTestApplication.JWTS.user(UUID.randomUUID());
        assertThat(call("GET", "/test/admin", token).statusCode()).isEqualTo(403);

        assertThat(RECEIVER.next().authorization()).isEqualTo("Bearer " + token);
        assertThat(RECEIVER.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aRefusingAuditServiceNeverFailsTheRequestAndTheLossIsCounted() throws Exception {
        RECEIVER.status = 503;
        double before = dropped("rejected");

        assertThat(call("GET", "/test/admin", ProblemTestApplication.JWTS.user(UUID.randomUUID()))
                        .statusCode())
                .isEqualTo(403);

        RECEIVER.next();
        org.awaitility.Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> dropped("rejected") == before + 1);
        assertThat(meters.find(HttpAuditReporter.DROPPED_METRIC).counters()).hasSizeGreaterThanOrEqualTo(3);
    }
}
