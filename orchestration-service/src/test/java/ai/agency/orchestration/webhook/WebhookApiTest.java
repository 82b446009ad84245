package ai.agency.orchestration.webhook;

import static ai.agency.common.testsupport.ProblemAssertions.errorFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.AuthStub;
import ai.agency.orchestration.OrchestrationApiTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Incoming webhooks, delivered over real HTTP by a client that signs like a sender ({@code t=<seconds>,v1=<hex
 * HMAC-SHA256(secret, "<t>.<body>")>}, computed here with the JDK's own HMAC): a signed JSON body starts a run as
 * the webhook's owner; replays, wrong or missing signatures, unknown webhooks, duplicates (also concurrent), oversized
 * and non-JSON bodies are refused or answered as the contract says, and a rotated secret overlaps with the old one.
 */
class WebhookApiTest extends OrchestrationApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient SENDER =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Autowired
    private JdbcClient jdbc;

    /** What a sender gets back. */
    private record Answer(int status, HttpHeaders headers, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }

        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }
    }

    private static String hmac(String secret, long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String signature(long t, byte[] body, String... secrets) {
        StringBuilder header = new StringBuilder("t=" + t);
        for (String secret : secrets) {
            header.append(",v1=").append(hmac(secret, t, body));
        }
        return header.toString();
    }

    private Answer deliver(String webhookId, String signature, String deliveryId, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/hooks/" + webhookId))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            request.header("Agency-Signature", signature);
        }
        if (deliveryId != null) {
            request.header("Agency-Delivery", deliveryId);
        }
        try {
            HttpResponse<String> response = SENDER.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Signs {@code body} now with {@code secret} and delivers it with a new delivery id. */
    private Answer send(String webhookId, String secret, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        return deliver(
                webhookId, signature(now, bytes, secret), UUID.randomUUID().toString(), bytes);
    }

    private String workflow(String token) {
        Response created = post(
                "/api/v1/workflows",
                token,
                Map.of(
                        "name",
                        "hooked",
                        "steps",
                        List.of(Map.of(
                                "id", "echo", "type", "transform", "input", Map.of("order", "{{input.order}}")))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private JsonNode webhook(String token, String workflowId) {
        Response created = post("/api/v1/workflows/" + workflowId + "/webhooks", token, null);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    private int runs(String workflowId) {
        return jdbc.sql("SELECT count(*) FROM runs WHERE workflow_id = :id")
                .param("id", UUID.fromString(workflowId))
                .query(Integer.class)
                .single();
    }

    private static void assertRefused(Answer answer) {
        ProblemAssertions.assertProblem(answer.status(), answer.contentType(), answer.body(), 401, "authentication");
    }

    @Test
    void aSignedDeliveryStartsARunWithItsBodyAsTheOwner() {
        UUID userId = UUID.randomUUID();
        String token = jwts.user(userId);
        String workflowId = workflow(token);
        JsonNode hook = webhook(token, workflowId);
        String id = hook.get("id").asString();
        String secret = hook.get("secret").asString();
        assertThat(secret).startsWith("whsec_");
        assertThat(hook.get("url").asString()).startsWith("http").endsWith("/hooks/" + id);
        AuthStub.Key key = AuthStub.named("workflow-webhook " + id);
        assertThat(key).isNotNull();
        assertThat(key.userId()).isEqualTo(userId);
        JsonNode shown = get("/api/v1/webhooks/" + id, token).json();
        assertThat(shown.has("secret")).as("the secret is shown once").isFalse();
        assertThat(get("/api/v1/webhooks", token).json().get("items")).hasSize(1);

        Answer accepted = send(id, secret, "{\"order\": {\"id\": 17, \"total\": 9.5}}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String runId = accepted.json().get("runId").asString();
        JsonNode[] run = {null};
        await().atMost(WAIT).untilAsserted(() -> {
            run[0] = get("/api/v1/runs/" + runId, token).json();
            assertThat(run[0].get("status").asString()).isEqualTo("succeeded");
        });
        assertThat(run[0].get("input").get("order").get("id").asInt()).isEqualTo(17);
        assertThat(run[0].get("steps")
                        .get(0)
                        .get("output")
                        .get("order")
                        .get("total")
                        .asDouble())
                .isEqualTo(9.5);
        assertThat(jdbc.sql("SELECT user_id FROM runs WHERE id = :id")
                        .param("id", UUID.fromString(runId))
                        .query(UUID.class)
                        .single())
                .isEqualTo(userId);

        assertThat(send("DELETE", "/api/v1/webhooks/" + id, token, null).status())
                .isEqualTo(204);
        assertThat(AuthStub.REVOKED).contains(key.id());
        assertRefused(send(id, secret, "{}"));
    }

    @Test
    void badMissingStaleOrForeignSignaturesAreRefusedAlike() {
        String token = newUser();
        String workflowId = workflow(token);
        JsonNode hook = webhook(token, workflowId);
        String id = hook.get("id").asString();
        String secret = hook.get("secret").asString();
        byte[] body = "{\"order\": 1}".getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();

        assertRefused(deliver(id, null, "d1", body));
        assertRefused(deliver(id, "v1=abc", "d1", body));
        assertRefused(deliver(id, signature(now, body, "whsec_wrong"), "d1", body));
        assertRefused(deliver(id, signature(now - 301, body, secret), "d1", body)); // a replay
        assertRefused(deliver(id, signature(now + 301, body, secret), "d1", body));
        byte[] tampered = "{\"order\": 2}".getBytes(StandardCharsets.UTF_8);
        assertRefused(deliver(id, signature(now, body, secret), "d1", tampered));
        Answer unknown = deliver(UUID.randomUUID().toString(), signature(now, body, secret), "d1", body);
        Answer wrong = deliver(id, signature(now, body, "whsec_wrong"), "d1", body);
        assertRefused(unknown);
        assertThat(unknown.json().get("detail").asString())
                .as("an unknown webhook is not told apart from a wrong signature")
                .isEqualTo(wrong.json().get("detail").asString());
        assertRefused(deliver("not-a-uuid", signature(now, body, secret), "d1", body));
        assertThat(runs(workflowId)).isZero();

        Answer fresh = deliver(id, signature(now - 200, body, secret), "d1", body);
        assertThat(fresh.status()).as("within the window").isEqualTo(202);
    }

    @Test
    void aDeliveryIdSeenBeforeAnswersTheFirstRunAlsoWhenSentConcurrently() throws Exception {
        String token = newUser();
        String workflowId = workflow(token);
        JsonNode hook = webhook(token, workflowId);
        String id = hook.get("id").asString();
        String secret = hook.get("secret").asString();
        byte[] body = "{\"order\": 3}".getBytes(StandardCharsets.UTF_8);

        Answer first = deliver(id, signature(Instant.now().getEpochSecond(), body, secret), "evt_1", body);
        assertThat(first.status()).isEqualTo(202);
        Answer again = deliver(id, signature(Instant.now().getEpochSecond(), body, secret), "evt_1", body);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("runId").asString())
                .isEqualTo(first.json().get("runId").asString());
        assertThat(runs(workflowId)).isEqualTo(1);

        int senders = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Answer>> duplicates = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            duplicates.add(() -> {
                start.await();
                return deliver(id, signature(Instant.now().getEpochSecond(), body, secret), "evt_2", body);
            });
        }
        List<Answer> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(senders)) {
            List<Future<Answer>> futures = duplicates.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Answer> future : futures) {
                answers.add(future.get());
            }
        }
        assertThat(answers.stream().filter(a -> a.status() == 202)).hasSize(1);
        assertThat(answers.stream().filter(a -> a.status() == 200)).hasSize(senders - 1);
        assertThat(answers.stream().map(a -> a.json().get("runId").asString()).distinct())
                .hasSize(1);
        assertThat(runs(workflowId)).isEqualTo(2);
    }

    @Test
    void aRotatedSecretOverlapsWithThePreviousOneDuringTheGrace() {
        String token = newUser();
        String workflowId = workflow(token);
        JsonNode hook = webhook(token, workflowId);
        String id = hook.get("id").asString();
        String old = hook.get("secret").asString();

        Response rotated = post("/api/v1/webhooks/" + id + "/rotate-secret", token, null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String fresh = rotated.json().get("secret").asString();
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);

        assertThat(send(id, old, "{}").status())
                .as("the old secret during the grace")
                .isEqualTo(202);
        assertThat(send(id, fresh, "{}").status()).as("the new secret").isEqualTo(202);
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        Answer both = deliver(id, signature(now, body, "whsec_stale", fresh), "both", body);
        assertThat(both.status()).as("several v1= signatures, one matching").isEqualTo(202);

        jdbc.sql("UPDATE workflow_webhooks SET previous_until = now() - interval '1 second' WHERE id = :id")
                .param("id", UUID.fromString(id))
                .update(); // the grace has passed
        assertRefused(send(id, old, "{}"));
        assertThat(send(id, fresh, "{}").status()).isEqualTo(202);
    }

    @Test
    void oversizedNonJsonOrUnidentifiedBodiesAreRefused() {
        String token = newUser();
        String workflowId = workflow(token);
        JsonNode hook = webhook(token, workflowId);
        String id = hook.get("id").asString();
        String secret = hook.get("secret").asString();

        String big = "{\"pad\": \"" + "x".repeat(256 * 1024) + "\"}";
        Answer tooLarge = send(id, secret, big);
        JsonNode problem = ProblemAssertions.assertProblem(
                tooLarge.status(), tooLarge.contentType(), tooLarge.body(), 413, "validation");
        assertThat(errorFields(problem)).containsExactly("body");

        Answer notJson = send(id, secret, "order=1&total=2");
        assertThat(errorFields(ProblemAssertions.assertProblem(
                        notJson.status(), notJson.contentType(), notJson.body(), 400, "validation")))
                .containsExactly("body");
        Answer empty = send(id, secret, "");
        assertThat(errorFields(ProblemAssertions.assertProblem(
                        empty.status(), empty.contentType(), empty.body(), 400, "validation")))
                .containsExactly("body");
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        Answer anonymous = deliver(id, signature(Instant.now().getEpochSecond(), body, secret), null, body);
        assertThat(errorFields(ProblemAssertions.assertProblem(
                        anonymous.status(), anonymous.contentType(), anonymous.body(), 400, "validation")))
                .containsExactly("Agency-Delivery");
        assertThat(runs(workflowId)).isZero();
    }

    @Test
    void aWebhookWhoseKeyWasRevokedRefusesSignedDeliveriesWith403() {
        String token = newUser();
        String workflowId = workflow(token);
        JsonNode hook = webhook(token, workflowId);
        String id = hook.get("id").asString();
        AuthStub.REVOKED.add(AuthStub.named("workflow-webhook " + id).id()); // the user revoked it in auth-service

        Answer refused = send(id, hook.get("secret").asString(), "{}");
        ProblemAssertions.assertProblem(refused.status(), refused.contentType(), refused.body(), 403, "authorization");
        assertThat(runs(workflowId)).isZero();
    }

    @Test
    void onlyTheOwnerManagesAWebhook() {
        String token = newUser();
        String workflowId = workflow(token);
        String id = webhook(token, workflowId).get("id").asString();
        String stranger = newUser();

        Response foreignWorkflow = post("/api/v1/workflows/" + workflowId + "/webhooks", stranger, null);
        ProblemAssertions.assertProblem(
                foreignWorkflow.status(), foreignWorkflow.contentType(), foreignWorkflow.body(), 404, "not_found");
        assertThat(get("/api/v1/webhooks/" + id, stranger).status()).isEqualTo(404);
        assertThat(post("/api/v1/webhooks/" + id + "/rotate-secret", stranger, null)
                        .status())
                .isEqualTo(404);
        assertThat(send("DELETE", "/api/v1/webhooks/" + id, stranger, null).status())
                .isEqualTo(404);
        assertThat(get("/api/v1/webhooks", stranger).json().get("items")).isEmpty();
        assertThat(post("/api/v1/webhooks/" + id + "/rotate-secret", null, null).status())
                .isEqualTo(401);
        assertThat(get("/api/v1/webhooks/" + id, token).status()).isEqualTo(200);
    }
}
