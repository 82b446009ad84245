package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.platform.Api.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Workflows started without anyone calling the API, on the real jars: a webhook delivery signed as a sender signs it
 * ({@code Agency-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")}, computed here with the JDK) goes through the
 * gateway's public {@code /hooks/**} route and runs the workflow as its owner — its tool step through the real
 * tool-service with a token of the webhook's own API key, minted by auth-service — once per delivery id; a flood of
 * deliveries to one webhook is cut off at the gateway without touching another; and an every-second cron schedule
 * starts runs the same way until it is deleted, which revokes its key in auth-service.
 */
class TriggersIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static URI gateway;

    @BeforeAll
    static void startPlatform() {
        gateway = RunningPlatform.get().gateway();
    }

    private static Reply call(String method, String path, String token, String json) {
        return Api.send(gateway, method, path, token, json, json == null ? null : "application/json");
    }

    /** A workflow that echoes {@code input.order} and asks the calculator for 6 * 7. */
    private static String workflow(String token) {
        Reply created = call("POST", "/api/v1/workflows", token, """
                {"name": "triggered", "steps": [
                  {"id": "echo", "type": "transform", "input": {"order": "{{input.order}}"}},
                  {"id": "calc", "type": "tool", "input": {"tool": "calculator", "parameters": {"expression": "6 * 7"}}}
                ]}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private static JsonNode awaitSucceeded(String token, String runId) {
        JsonNode[] run = {null};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Reply reply = call("GET", "/api/v1/runs/" + runId, token, null);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            run[0] = reply.json();
            assertThat(run[0].get("status").asString()).as(reply.body()).isEqualTo("succeeded");
        });
        return run[0];
    }

    private static List<String> runIds(String token, String workflowId) {
        Reply reply = call("GET", "/api/v1/runs?workflowId=" + workflowId, token, null);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        reply.json().get("items").forEach(r -> ids.add(r.get("id").asString()));
        return ids;
    }

    private static String signature(String secret, long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** POSTs {@code body} to the webhook's URL as a sender does. */
    private static Reply deliver(String url, String signature, String deliveryId, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Agency-Delivery", deliveryId)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("Agency-Signature", signature);
        }
        return Api.exchange(request.build());
    }

    private static Reply deliverSigned(String url, String secret, String deliveryId, String body) {
        return deliver(
                url,
                signature(secret, Instant.now().getEpochSecond(), body.getBytes(StandardCharsets.UTF_8)),
                deliveryId,
                body);
    }

    private static JsonNode webhook(String token, String workflowId) {
        Reply created = call("POST", "/api/v1/workflows/" + workflowId + "/webhooks", token, null);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    private static List<String> keyNames(String token) {
        Reply keys = call("GET", "/api/v1/auth/api-keys", token, null);
        assertThat(keys.status()).as(keys.body()).isEqualTo(200);
        JsonNode items = keys.json().has("items") ? keys.json().get("items") : keys.json();
        List<String> names = new ArrayList<>();
        items.forEach(k -> names.add(k.get("name").asString()));
        return names;
    }

    @Test
    void aSignedDeliveryThroughTheGatewayRunsTheWorkflowOnceAsItsOwner() {
        Api.User owner = Api.newUser(gateway);
        String workflowId = workflow(owner.token());
        JsonNode hook = webhook(owner.token(), workflowId);
        String id = hook.get("id").asString();
        String url = hook.get("url").asString();
        String secret = hook.get("secret").asString();
        assertThat(url)
                .as("the public URL, the gateway's")
                .isEqualTo(gateway.resolve("/hooks/" + id).toString());
        assertThat(keyNames(owner.token())).contains("workflow-webhook " + id);

        String delivery = UUID.randomUUID().toString();
        String body = "{\"order\": {\"id\": 4711, \"total\": 19.5}}";
        Reply accepted = deliverSigned(url, secret, delivery, body);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String runId = accepted.json().get("runId").asString();
        JsonNode run = awaitSucceeded(owner.token(), runId);
        assertThat(run.get("input").get("order").get("id").asInt()).isEqualTo(4711);
        assertThat(run.get("steps")
                        .get(0)
                        .get("output")
                        .get("order")
                        .get("total")
                        .asDouble())
                .isEqualTo(19.5);
        assertThat(run.get("steps").get(1).get("output").get("result").asDouble())
                .as("the tool step ran in tool-service with the webhook key's token")
                .isEqualTo(42.0);

        // the sender retries the same delivery (its first answer was lost): the first run, no second one
        Reply again = deliverSigned(url, secret, delivery, body);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("runId").asString()).isEqualTo(runId);
        // a body changed on the way, under the original signature; an unsigned one; a replayed old one
        long t = Instant.now().getEpochSecond();
        String signed = signature(secret, t, body.getBytes(StandardCharsets.UTF_8));
        for (Reply refused : List.of(
                deliver(url, signed, UUID.randomUUID().toString(), body.replace("19.5", "0.01")),
                deliver(url, null, UUID.randomUUID().toString(), body),
                deliver(
                        url,
                        signature(secret, t - 600, body.getBytes(StandardCharsets.UTF_8)),
                        UUID.randomUUID().toString(),
                        body))) {
            Api.assertProblem(refused, 401, "authentication");
        }
        assertThat(runIds(owner.token(), workflowId)).containsExactly(runId);

        // nobody else sees the run or the webhook
        Api.User other = Api.newUser(gateway);
        assertThat(call("GET", "/api/v1/runs/" + runId, other.token(), null).status())
                .isEqualTo(404);
        assertThat(call("GET", "/api/v1/webhooks/" + id, other.token(), null).status())
                .isEqualTo(404);

        assertThat(call("DELETE", "/api/v1/webhooks/" + id, owner.token(), null).status())
                .isEqualTo(204);
        assertThat(keyNames(owner.token())).as("deleting revokes its key").doesNotContain("workflow-webhook " + id);
        Api.assertProblem(deliverSigned(url, secret, UUID.randomUUID().toString(), body), 401, "authentication");
    }

    @Test
    void aFloodOfDeliveriesToOneWebhookIsCutOffAtTheGatewayWithoutTouchingAnother() {
        Api.User flooded = Api.newUser(gateway);
        String floodedUrl =
                webhook(flooded.token(), workflow(flooded.token())).get("url").asString();
        Api.User bystander = Api.newUser(gateway);
        String workflowId = workflow(bystander.token());
        JsonNode hook = webhook(bystander.token(), workflowId);

        // anyone can send junk to a webhook's URL: the gateway's bucket of that one webhook (120 a minute) runs dry
        int limited = 0;
        for (int i = 0; i < 140 && limited == 0; i++) {
            Reply junk = deliver(floodedUrl, "t=1,v1=00", UUID.randomUUID().toString(), "{}");
            if (junk.status() == 429) {
                limited++;
                assertThat(junk.response().headers().firstValue("Retry-After")).isPresent();
            } else {
                assertThat(junk.status()).as(junk.body()).isEqualTo(401);
            }
        }
        assertThat(limited).as("the flooded webhook is rate-limited").isOne();

        Reply accepted = deliverSigned(
                hook.get("url").asString(),
                hook.get("secret").asString(),
                UUID.randomUUID().toString(),
                "{\"order\": 1}");
        assertThat(accepted.status())
                .as("another webhook keeps its budget: " + accepted.body())
                .isEqualTo(202);
        awaitSucceeded(bystander.token(), accepted.json().get("runId").asString());
    }

    @Test
    void anEverySecondScheduleRunsTheWorkflowWithItsOwnKeyUntilDeleted() {
        Api.User owner = Api.newUser(gateway);
        String workflowId = workflow(owner.token());
        Reply created = call("POST", "/api/v1/workflows/" + workflowId + "/schedules", owner.token(), """
                {"cron": "* * * * * *", "timeZone": "Europe/Berlin", "input": {"order": 7}, "missedPolicy": "skip"}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asString();
        assertThat(created.json().get("nextFireTimes")).hasSize(5);
        assertThat(keyNames(owner.token())).contains("workflow-schedule " + id);

        await().atMost(WAIT).until(() -> runIds(owner.token(), workflowId).size() >= 2);
        List<String> started = runIds(owner.token(), workflowId);
        JsonNode run = awaitSucceeded(owner.token(), started.getLast());
        assertThat(run.get("input").get("order").asInt()).isEqualTo(7);
        assertThat(run.get("steps").get(1).get("output").get("result").asDouble())
                .as("the tool step ran in tool-service with the schedule key's token")
                .isEqualTo(42.0);
        Reply shown = call("GET", "/api/v1/schedules/" + id, owner.token(), null);
        assertThat(shown.json().get("lastRunId").isNull()).isFalse();
        assertThat(shown.json().get("lastError").isNull()).as(shown.body()).isTrue();

        assertThat(call("DELETE", "/api/v1/schedules/" + id, owner.token(), null)
                        .status())
                .isEqualTo(204);
        assertThat(keyNames(owner.token())).as("deleting revokes its key").doesNotContain("workflow-schedule " + id);
        int after = runIds(owner.token(), workflowId).size();
        try {
            Thread.sleep(2500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(runIds(owner.token(), workflowId))
                .as("no run after the schedule was deleted (one may have started as it was deleted)")
                .hasSizeBetween(after, after + 1);
    }
}
