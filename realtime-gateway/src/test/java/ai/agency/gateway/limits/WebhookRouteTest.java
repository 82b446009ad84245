package ai.agency.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.gateway.RealtimeTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Incoming webhooks through the real gateway: {@code /hooks/**} needs no token and reaches orchestration-service
 * (a stub) with the sender's signature headers and body unchanged, and is rate-limited per webhook (3 per hour in
 * these tests), whoever sends.
 */
class WebhookRouteTest extends RealtimeTestSupport {

    static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void hooksArePublicAndLimitedPerWebhookWhoeverSends() throws Exception {
        String hook = "/hooks/" + UUID.randomUUID();
        String body = "{\"order\": 17}";
        for (int remaining = 2; remaining >= 0; remaining--) {
            HttpResponse<String> accepted = deliver(hook, null, body);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            assertThat(accepted.body()).contains("runId");
            assertThat(accepted.headers().firstValue("RateLimit-Limit")).hasValue("3");
            assertThat(accepted.headers().firstValue("RateLimit-Remaining")).hasValue(Integer.toString(remaining));
        }
        HookDelivery seen = HOOK_DELIVERIES.stream()
                .filter(d -> d.path().equals(hook))
                .findFirst()
                .orElseThrow();
        assertThat(seen.authorization()).isNull();
        assertThat(seen.signature()).isEqualTo("t=1700000000,v1=" + "ab".repeat(32));
        assertThat(seen.deliveryId()).startsWith("evt_");
        assertThat(seen.body()).isEqualTo(body);

        HttpResponse<String> refused = deliver(hook, null, body);
        ProblemAssertions.assertProblem(
                refused.statusCode(),
                refused.headers().firstValue("Content-Type").orElse(null),
                refused.body(),
                429,
                "rate_limit");
        assertThat(refused.body()).contains("'hooks'");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        // the bucket is the webhook's, not the sender's: a signed-in caller gets no fresh budget for it
        assertThat(deliver(hook, "Bearer " + JWTS.user(UUID.randomUUID()), body).statusCode())
                .isEqualTo(429);
        assertThat(HOOK_DELIVERIES.stream().filter(d -> d.path().equals(hook))).hasSize(3);
        // another webhook has a budget of its own
        assertThat(deliver("/hooks/" + UUID.randomUUID(), null, body).statusCode())
                .isEqualTo(202);
    }

    private HttpResponse<String> deliver(String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .header("Agency-Signature", "t=1700000000,v1=" + "ab".repeat(32))
                .header("Agency-Delivery", "evt_" + UUID.randomUUID())
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
